"""Units: the tree from the provincial committee down to the Party cells."""
