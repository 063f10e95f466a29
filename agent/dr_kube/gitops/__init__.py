"""The GitOps side: find the values to change, patch them, commit, and open the pull request."""
