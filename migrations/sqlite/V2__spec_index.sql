-- The reference implementation's migration 002: the index every allocation query uses.
CREATE INDEX complete_spec on jobs(pkg_name, pkg_variants, pkg_version, compiler_name, compiler_version, end);
