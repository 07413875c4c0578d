"""Release code: the framework's wheel, its check in a fresh environment, the integration report (`tito dev package …`)."""
