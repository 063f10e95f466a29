"""`dr-kube eval`: run a scenario corpus through the graph and score the answers."""
