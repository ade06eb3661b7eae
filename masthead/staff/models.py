"""No tables: the roles are groups (masthead/staff/roles.py). This module lets Django send this
app its `post_migrate`, after every other app's permissions exist."""
