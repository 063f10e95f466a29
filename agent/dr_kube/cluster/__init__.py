"""Cluster state behind one interface: a live API server or a `kubectl cluster-info dump`."""

from dr_kube.cluster.source import ClusterSource, ObjectRef

__all__ = ["ClusterSource", "ObjectRef"]
