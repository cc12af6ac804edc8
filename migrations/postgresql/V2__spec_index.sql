-- The reference implementation's migration 002, the index the allocation queries use, less
-- pkg_variants: a B-tree entry is limited to about 2,700 bytes and a variants text may be
-- longer (patches=<hash>,<hash>,...). Answers come from memory; these queries only run while
-- the index loads.
CREATE INDEX complete_spec ON jobs (pkg_name, pkg_version, compiler_name, compiler_version, "end");
