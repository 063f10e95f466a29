"""DR-Kube: from a Kubernetes alert to a reviewed Helm-values fix."""

__version__ = "0.1.0"
