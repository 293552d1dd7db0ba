//! `zplan fmt`: one canonical layout for every policy, with every comment kept. Formatting
//! changes only spaces, blank lines and line breaks, so the formatted policy means exactly
//! what the original did, and formatting twice gives what formatting once gave.

mod layout;
mod printer;

use crate::diagnostic::Problem;
use crate::syntax;

/// The canonical text of a policy, or its syntax problem.
pub fn format(source: &str) -> Result<String, Problem> {
    let file = syntax::parse(source)?;
    Ok(printer::print(&layout::layout(source, &file)))
}

#[cfg(test)]
mod tests {
    use super::format;

    fn formats_to(source: &str, expected: &str) {
        let formatted = format(source).unwrap();
        assert_eq!(formatted, expected);
        assert_eq!(format(&formatted).unwrap(), formatted, "formatting is idempotent");
    }

    #[test]
    fn values_align_in_a_paragraph_and_blocks_open() {
        formats_to(
            "node a { address 10.0.0.1 }\npair p {\n\tnodes a b\n   engine   syncoid\n\n\n  rpo 10m\n}\n",
            "node a {\n  address 10.0.0.1\n}\n\npair p {\n  nodes  a b\n  engine syncoid\n\n  rpo 10m\n}\n",
        );
    }

    #[test]
    fn comments_stay_where_they_were() {
        formats_to(
            "# head\n\nnode a {   # the first\n  # own line\n  address 10.0.0.1 # where\n  os linux   # which\n  # last\n} # end\n# tail\n",
            "# head\n\nnode a {  # the first\n  # own line\n  address 10.0.0.1  # where\n  os      linux     # which\n  # last\n}  # end\n\n# tail\n",
        );
    }

    #[test]
    fn empty_blocks_and_files_are_kept_short() {
        formats_to("node a {\n}\n", "node a {}\n");
        formats_to("node a {\n} # c\n", "node a {\n}  # c\n");
        formats_to("\n\n", "");
        formats_to("# only a comment", "# only a comment\n");
    }

    #[test]
    fn the_option_lines_of_a_mount_are_not_aligned_as_keywords() {
        formats_to(
            "client c {\n  allow W0602\n  os linux\n  mount s:/x at /mnt/x {\n    hard timeo 10s\n    automount   idle-timeout 10m\n  }\n}\n",
            "client c {\n  allow W0602\n  os    linux\n  mount s:/x at /mnt/x {\n    hard timeo 10s\n    automount idle-timeout 10m\n  }\n}\n",
        );
    }

    #[test]
    fn a_closing_brace_after_a_statement_gets_its_own_line() {
        formats_to(
            "client c {\n  mount s:/x at /mnt/x { hard }  # a mount\n}\r\n",
            "client c {\n  mount s:/x at /mnt/x {  # a mount\n    hard\n  }\n}\n",
        );
    }

    #[test]
    /// Every comment of a large policy stays where it was (its speed is measured by the
    /// `format` benchmark, `cargo bench --bench phases`).
    fn a_large_policy_with_many_comments_keeps_every_comment() {
        let block = "node n {  # a node\n  # about its address\n  address 10.0.0.1  # where\n}\n\n";
        let source = block.repeat(20_000);
        assert_eq!(format(&source).unwrap(), format!("{}\n", source.trim_end()));
    }

    #[test]
    fn syntax_errors_are_reported_not_formatted() {
        assert!(format("node a {\n").is_err());
    }
}
