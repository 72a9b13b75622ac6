// Package planreport turns the JSON plans of the deployment's Terraform
// stacks (the output of `terraform show -json PLANFILE`) into one Markdown
// document meant for a pull-request comment.
//
// The document has three parts:
//
//   - a summary table with add / change / replace / destroy counts per stack,
//     stacks without changes collapsed into one line;
//   - the flagged changes: every resource change that trips a risk rule (see
//     [Rules] and RULES.md), with its address, action and the reason;
//   - the full change list per stack in collapsible <details> blocks, with
//     attribute diffs for updates and replacements.
//
// Values that Terraform marks sensitive (before_sensitive / after_sensitive)
// are never printed, and the document is cut to a size limit (GitHub refuses
// comments over 65536 characters) with a note saying so.
//
// Plans are decoded with HashiCorp's terraform-json types. Use [LoadPaths] to
// read plan files, [Analyze] to evaluate the rules and [Render] to write the
// Markdown.
package planreport
