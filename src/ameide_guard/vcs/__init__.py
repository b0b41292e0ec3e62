"""Everything that asks git: file discovery (git's listings or a .gitignore-honouring walk, in
the background), the fast memo key from git's view of the tree, and `--diff-base`."""
