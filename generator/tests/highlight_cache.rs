//! Highlighted blocks are cached by fence and text: rendering a page again (as `serve`
//! does after an edit) highlights only the blocks that changed. Its own test binary, so
//! no other test highlights blocks while it counts.

use gatehouse::highlight::blocks_highlighted;
use gatehouse::markdown::render;

#[test]
fn serve_rerenders_highlight_only_changed_blocks() {
    let page = "# Page\n\n```bash\nkong start\n```\n\n```json\n{\"a\": 1}\n```\n\n```yaml title=\"x.yaml\"\na: 1\n```\n\n```lua\nlocal x = 1\n```\n";
    let before = blocks_highlighted();
    let first = render(page, "a.md").html;
    assert_eq!(blocks_highlighted() - before, 4);
    // The same page again, and another page with the same blocks: nothing highlighted.
    let again = render(page, "a.md").html;
    render(page, "b.md");
    assert_eq!(blocks_highlighted() - before, 4);
    assert_eq!(first, again);
    // One block edited: that block only; the same text under another fence is new.
    render(&page.replace("local x = 1", "local x = 2"), "a.md");
    assert_eq!(blocks_highlighted() - before, 5);
    render("```sh\nkong start\n```\n", "c.md");
    assert_eq!(blocks_highlighted() - before, 6);

    // A block shown partly plain is cached as it was shown, with its warning: `serve`
    // pays for it once, not on every edit of the page. (A line over `LINE_MAX` is the
    // cut that does not depend on the machine's speed; a block cut for time is cached
    // by the same code.)
    let long = format!("echo {}", "x".repeat(gatehouse::highlight::LINE_MAX + 1));
    let slow = format!("```bash\nkong start\n{long}\n```\n\nText.\n");
    let first = render(&slow, "d.md");
    assert_eq!(blocks_highlighted() - before, 7);
    assert_eq!(first.warnings.len(), 1, "{:?}", first.warnings);
    let edited = render(&slow.replace("Text.", "Text, edited."), "d.md");
    assert_eq!(blocks_highlighted() - before, 7, "taken from the cache");
    assert_eq!(edited.warnings, first.warnings);
}
