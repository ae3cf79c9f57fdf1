"""The AWS work of each notebook, in plain functions: no widgets (the forms are in awslab/forms/)."""
