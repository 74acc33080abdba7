//! `gatehouse serve` end to end: a real server on port 0 over a temporary copy of a
//! small site, driven by file edits, observed through its reload channel and pages.
//! Every wait is on an event, with a generous upper bound; the one poll is for a child
//! process to exit (`exits_within`), every 20 ms.

use std::io::{BufRead, BufReader, Read, Write};
use std::net::TcpStream;
use std::path::{Path, PathBuf};
use std::process::{Child, Command, Stdio};
use std::sync::mpsc;
use std::time::Duration;

mod common;

use common::git;

const PATIENCE: Duration = Duration::from_secs(20);

struct Server {
    child: Child,
    url: String,
    root: tempfile::TempDir,
}

impl Drop for Server {
    fn drop(&mut self) {
        let _ = self.child.kill();
        let _ = self.child.wait();
    }
}

impl Server {
    fn start() -> Self {
        Self::start_with("")
    }

    /// Starts on the small site with `extra` appended to its site.toml.
    fn start_with(extra: &str) -> Self {
        Self::launch(extra, true)
    }

    /// Starts without `-q`; stderr (what a writer reads in the terminal) is piped.
    fn start_talking() -> (Self, BufReader<std::process::ChildStderr>) {
        Self::start_talking_with("")
    }

    /// [`Server::start_talking`] with `extra` appended to site.toml.
    fn start_talking_with(extra: &str) -> (Self, BufReader<std::process::ChildStderr>) {
        let mut server = Self::launch(extra, false);
        let stderr = server.child.stderr.take().expect("stderr is piped");
        (server, BufReader::new(stderr))
    }

    fn launch(extra: &str, quiet: bool) -> Self {
        let root = tempfile::tempdir().unwrap();
        copy_dir(
            &Path::new(env!("CARGO_MANIFEST_DIR")).join("tests/fixtures/small"),
            root.path(),
        );
        let config = root.path().join("site.toml");
        let text = std::fs::read_to_string(&config).unwrap() + extra;
        std::fs::write(&config, text).unwrap();
        Self::launch_in(root, quiet)
    }

    fn launch_in(root: tempfile::TempDir, quiet: bool) -> Self {
        Self::launch_with_args(root, quiet, &[])
    }

    fn launch_with_args(root: tempfile::TempDir, quiet: bool, args: &[&str]) -> Self {
        let mut command = Command::new(env!("CARGO_BIN_EXE_gatehouse"));
        command.args(["serve", "--port", "0"]).args(args);
        // Writers run `gatehouse serve` inside the site (the default root, `.`); the
        // talking server covers that, the others pass --root.
        if quiet {
            command.arg("--root").arg(root.path());
        } else {
            command.current_dir(root.path());
        }
        if quiet {
            command.arg("-q").stderr(Stdio::null());
        } else {
            command.stderr(Stdio::piped());
        }
        let mut child = command.stdout(Stdio::piped()).spawn().unwrap();
        let mut line = String::new();
        BufReader::new(child.stdout.take().unwrap())
            .read_line(&mut line)
            .unwrap();
        let url = line
            .trim()
            .strip_prefix("Serving ")
            .expect("first line names the URL")
            .trim_end_matches('/')
            .to_string();
        Server { child, url, root }
    }

    /// POSTs a form the way a browser on the site would; returns the status.
    fn post(&self, path: &str, body: &str) -> u16 {
        let address = self.url.trim_start_matches("http://");
        let mut stream = TcpStream::connect(address).unwrap();
        write!(
            stream,
            "POST {path} HTTP/1.1\r\nHost: {address}\r\nOrigin: {}\r\nContent-Type: application/x-www-form-urlencoded\r\nContent-Length: {}\r\nConnection: close\r\n\r\n{body}",
            self.url,
            body.len()
        )
        .unwrap();
        let mut response = String::new();
        stream.read_to_string(&mut response).unwrap();
        response[9..12].parse().unwrap()
    }

    fn path(&self, rel: &str) -> PathBuf {
        self.root.path().join(rel)
    }

    fn get(&self, path: &str) -> (u16, String) {
        let (status, _, body) = self.get_with_head(path);
        (status, body)
    }

    /// Status, response head (status line and headers) and body.
    fn get_with_head(&self, path: &str) -> (u16, String, String) {
        let address = self.url.trim_start_matches("http://");
        let mut stream = TcpStream::connect(address).unwrap();
        write!(
            stream,
            "GET {path} HTTP/1.1\r\nHost: {address}\r\nConnection: close\r\n\r\n"
        )
        .unwrap();
        let mut response = String::new();
        stream.read_to_string(&mut response).unwrap();
        let status = response[9..12].parse().unwrap();
        let (head, body) = response.split_once("\r\n\r\n").unwrap_or((&response, ""));
        (status, head.to_string(), body.to_string())
    }

    /// Subscribes to the reload channel; returns a receiver of (event, data) pairs.
    fn events(&self) -> Events {
        let address = self.url.trim_start_matches("http://").to_string();
        let mut stream = TcpStream::connect(&address).unwrap();
        write!(stream, "GET /__gatehouse/events HTTP/1.1\r\nHost: {address}\r\nAccept: text/event-stream\r\n\r\n").unwrap();
        let (tx, rx) = mpsc::channel();
        std::thread::spawn(move || {
            let mut event = String::new();
            for line in BufReader::new(stream).lines() {
                let Ok(line) = line else { break };
                if let Some(name) = line.strip_prefix("event: ") {
                    event = name.to_string();
                } else if let Some(data) = line.strip_prefix("data: ")
                    && tx.send((event.clone(), data.to_string())).is_err()
                {
                    break;
                }
            }
        });
        let events = Events(rx);
        events.wait_for("hello");
        events
    }
}

struct Events(mpsc::Receiver<(String, String)>);

impl Events {
    fn wait_for(&self, wanted: &str) -> String {
        loop {
            let (event, data) = self
                .0
                .recv_timeout(PATIENCE)
                .unwrap_or_else(|_| panic!("no '{wanted}' event within {PATIENCE:?}"));
            if event == wanted {
                return data;
            }
        }
    }
}

/// Saves as most editors do (a temporary file renamed over the target), so a reader of
/// the file never sees it half written, however slow the machine.
fn save(path: impl AsRef<Path>, text: impl AsRef<[u8]>) {
    let path = path.as_ref();
    let temporary = path.with_extension("tmp");
    std::fs::write(&temporary, text).unwrap();
    std::fs::rename(&temporary, path).unwrap();
}

fn copy_dir(from: &Path, to: &Path) {
    for entry in walkdir::WalkDir::new(from) {
        let entry = entry.unwrap();
        let target = to.join(entry.path().strip_prefix(from).unwrap());
        if entry.file_type().is_dir() {
            std::fs::create_dir_all(&target).unwrap();
        } else {
            std::fs::copy(entry.path(), &target).unwrap();
        }
    }
}

#[test]
fn edits_reload_and_errors_show_over_the_last_good_page() {
    let server = Server::start();
    let events = server.events();
    let (status, body) = server.get("/guide/alpha/");
    assert_eq!(status, 200);
    assert!(body.contains("Alpha text, version one."));
    assert!(
        body.contains("/__gatehouse/live.js"),
        "live reload script injected"
    );

    // A body edit: reload, new text.
    let alpha = server.path("content/guide/alpha.md");
    save(
        &alpha,
        "---\ntitle: Alpha\nweight: 1\n---\n## Install\n\nAlpha text, version two.\n",
    );
    events.wait_for("reload");
    assert!(
        server
            .get("/guide/alpha/")
            .1
            .contains("Alpha text, version two.")
    );

    // A typo: the overlay names file, line and column; the last good page stays.
    save(
        &alpha,
        "---\ntitle: Alpha\nweight: 1\n---\n## Install\n\nBroken {{site.prodct}} three.\n",
    );
    let problems = events.wait_for("problems");
    let expected =
        "content/guide/alpha.md:7:8: unknown variable 'site.prodct' (did you mean 'site.product'?)";
    assert!(problems.contains(expected), "{problems}");
    let (status, body) = server.get("/guide/alpha/");
    assert_eq!(status, 200);
    assert!(
        body.contains("Alpha text, version two."),
        "still the last good page"
    );
    assert!(
        body.contains("gatehouse-overlay") && body.contains(&edge::html::escape(expected)),
        "{body}"
    );

    // Fixed: reload, no overlay.
    save(
        &alpha,
        "---\ntitle: Alpha\nweight: 1\n---\n## Install\n\nFixed {{site.product}} three.\n",
    );
    events.wait_for("reload");
    let body = server.get("/guide/alpha/").1;
    assert!(body.contains("Fixed Gadget three."));
    assert!(!body.contains("gatehouse-overlay"));

    // Removing a heading another page links to is refused until the link is fixed.
    save(
        &alpha,
        "---\ntitle: Alpha\nweight: 1\n---\nNo headings now.\n",
    );
    let problems = events.wait_for("problems");
    assert!(
        problems.contains("content/guide/index.md:4:23: broken link '/guide/alpha/#install'"),
        "{problems}"
    );
    save(
        server.path("content/guide/index.md"),
        "---\ntitle: Guide\n---\nThe guide. Start with [Alpha](/guide/alpha/).\n",
    );
    events.wait_for("reload");
    assert!(server.get("/guide/alpha/").1.contains("No headings now."));
}

#[test]
fn created_and_deleted_pages_update_navigation() {
    let server = Server::start();
    let events = server.events();
    let beta = server.path("content/guide/beta.md");
    save(&beta, "---\ntitle: Beta\nweight: 2\n---\nBeta page.\n");
    events.wait_for("reload");
    let (status, body) = server.get("/guide/beta/");
    assert_eq!(status, 200);
    assert!(body.contains("Beta page."));
    let alpha = server.get("/guide/alpha/").1;
    assert!(
        alpha.contains("<a href=\"/guide/beta/\">Beta</a>"),
        "sidebar lists the new page: {alpha}"
    );

    std::fs::remove_file(&beta).unwrap();
    events.wait_for("reload");
    assert_eq!(server.get("/guide/beta/").0, 404);
    assert!(
        !server.get("/guide/alpha/").1.contains("/guide/beta/"),
        "sidebar forgot it"
    );
}

#[test]
fn an_alias_added_or_removed_while_serving_redirects_accordingly() {
    let server = Server::start();
    let events = server.events();
    let beta = server.path("content/guide/beta.md");
    save(&beta, "---\ntitle: Beta\n---\nBeta page.\n");
    events.wait_for("reload");
    assert_eq!(server.get("/old/beta/").0, 404);
    save(
        &beta,
        "---\ntitle: Beta\naliases: [/old/beta/]\n---\nBeta page.\n",
    );
    events.wait_for("reload");
    let (status, head, _) = server.get_with_head("/old/beta/");
    assert_eq!(status, 301, "{head}");
    assert!(head.contains("location: /guide/beta/"), "{head}");
    save(&beta, "---\ntitle: Beta\n---\nBeta page.\n");
    events.wait_for("reload");
    assert_eq!(server.get("/old/beta/").0, 404, "the alias is gone");
}

#[test]
fn stylesheet_edits_swap_in_place_and_unknown_paths_are_404() {
    let server = Server::start();
    let events = server.events();
    save(
        server.path("themes/default/static/css/site.css"),
        "body { color: red; }\n",
    );
    let data = events.wait_for("css");
    assert_eq!(data, r#"{"path":"/css/site.css"}"#);
    assert_eq!(server.get("/css/site.css").1, "body { color: red; }\n");
    let (status, body) = server.get("/no/such/page/");
    assert_eq!(status, 404);
    assert!(body.contains("<title>Page not found</title>"));
}

#[test]
fn backend_pages_get_the_site_security_headers() {
    let server = Server::start();
    let address = server.url.trim_start_matches("http://").to_string();
    let mut stream = TcpStream::connect(&address).unwrap();
    write!(
        stream,
        "GET /sign-in/?verified=1 HTTP/1.1\r\nHost: {address}\r\nConnection: close\r\n\r\n"
    )
    .unwrap();
    let mut response = String::new();
    stream.read_to_string(&mut response).unwrap();
    let head = response
        .split("\r\n\r\n")
        .next()
        .unwrap()
        .to_ascii_lowercase();
    assert!(head.starts_with("http/1.1 200"), "{head}");
    assert!(
        head.contains("content-security-policy: default-src 'self'"),
        "{head}"
    );
    assert!(head.contains("x-frame-options: deny"), "{head}");
}

#[test]
fn rate_limits_come_from_site_toml() {
    let server = Server::start_with("\n[edge.limits]\nsign_in_failures_per_email = 1\n");
    let attempt = "email=nobody%40example.test&password=Wrong-pass9";
    assert_eq!(server.post("/api/sign-in", attempt), 422);
    assert_eq!(
        server.post("/api/sign-in", attempt),
        429,
        "the second failure is over the limit of 1"
    );
}

#[test]
fn a_nonsense_limit_is_a_clear_error() {
    let root = tempfile::tempdir().unwrap();
    copy_dir(
        &Path::new(env!("CARGO_MANIFEST_DIR")).join("tests/fixtures/small"),
        root.path(),
    );
    std::fs::write(
        root.path().join("site.toml"),
        "title = \"Small\"\n[edge.limits]\nposts_per_ip = 0\n",
    )
    .unwrap();
    let run = exits_within(
        Command::new(env!("CARGO_BIN_EXE_gatehouse"))
            .args(["serve", "--port", "0", "--root"])
            .arg(root.path()),
    );
    assert_eq!(run.status.code(), Some(1));
    assert_eq!(
        String::from_utf8(run.stderr).unwrap(),
        "error: site.toml: [edge.limits]: limit `posts_per_ip` must be a whole number of at least 1, not `0`\n"
    );
}

/// Runs a command that is expected to exit; a server that keeps running instead is
/// killed after PATIENCE and fails the test rather than hanging it.
fn exits_within(command: &mut Command) -> std::process::Output {
    let mut child = command
        .stdout(Stdio::piped())
        .stderr(Stdio::piped())
        .spawn()
        .unwrap();
    let started = std::time::Instant::now();
    while child.try_wait().unwrap().is_none() {
        if started.elapsed() > PATIENCE {
            let _ = child.kill();
            panic!("still running after {PATIENCE:?}");
        }
        std::thread::sleep(Duration::from_millis(20));
    }
    child.wait_with_output().unwrap()
}

#[test]
fn a_busy_port_is_a_clear_error() {
    let taken = std::net::TcpListener::bind("127.0.0.1:0").unwrap();
    let port = taken.local_addr().unwrap().port().to_string();
    let run = exits_within(
        Command::new(env!("CARGO_BIN_EXE_gatehouse"))
            .args(["serve", "--port", &port, "--root"])
            .arg(Path::new(env!("CARGO_MANIFEST_DIR")).join("tests/fixtures/small")),
    );
    assert_eq!(run.status.code(), Some(1));
    let stderr = String::from_utf8(run.stderr).unwrap();
    assert_eq!(
        stderr,
        format!(
            "error: port {port} on 127.0.0.1 is already in use; choose another with --port (or --port 0 for any free port)\n"
        )
    );
}

#[test]
fn input_folders_created_after_start_are_watched() {
    let server = Server::start();
    let events = server.events();
    let static_dir = server.path("static");
    assert!(!static_dir.exists(), "the fixture has no static/ folder");
    std::fs::create_dir(&static_dir).unwrap();
    events.wait_for("reload");
    // Only seen if the new folder is watched.
    save(static_dir.join("notes.txt"), "written later\n");
    events.wait_for("reload");
    assert_eq!(
        server.get("/notes.txt"),
        (200, "written later\n".to_string())
    );
}

#[test]
fn mail_sent_in_preview_is_announced_in_the_terminal() {
    let (server, stderr) = Server::start_talking();
    let status = server.post(
        "/api/register",
        "email=writer%40example.test&first_name=Ada&last_name=L&organization=Org&password=Preview-pass1",
    );
    assert_eq!(status, 303);
    let wanted = format!(
        "Mail to writer@example.test: \"Verify your email address for Small\" (read it at {}/_dev/outbox)",
        server.url
    );
    wait_for_line(stderr, &wanted);
}

#[test]
fn link_warnings_are_shown_in_the_terminal_and_do_not_stop_the_preview() {
    let (server, stderr) = Server::start_talking_with("\n[links]\nlevel = \"warn\"\n");
    let events = server.events();
    save(
        server.path("content/guide/alpha.md"),
        "---\ntitle: Alpha\nweight: 1\n---\n## Install\n\n[gone](/nowhere/)\n",
    );
    events.wait_for("reload");
    wait_for_line(
        stderr,
        "warning: content/guide/alpha.md:7:1: broken link '/nowhere/': nothing is published at /nowhere/",
    );
    assert_eq!(server.get("/guide/alpha/").0, 200);
}

#[test]
fn unknown_code_languages_are_warned_about_in_the_terminal() {
    let (server, stderr) = Server::start_talking();
    let events = server.events();
    save(
        server.path("content/guide/alpha.md"),
        "---\ntitle: Alpha\nweight: 1\n---\n## Install\n\n```klingon\nQapla'\n```\n",
    );
    events.wait_for("reload");
    wait_for_line(
        stderr,
        "warning: no highlighting for code language `klingon` (shown as plain text) in guide/alpha.md",
    );
    assert!(server.get("/guide/alpha/").1.contains("Qapla"));
}

/// Reads the server's terminal output until the line `wanted` appears.
fn wait_for_line(stderr: BufReader<std::process::ChildStderr>, wanted: &str) {
    let (tx, rx) = mpsc::channel();
    std::thread::spawn(move || {
        for line in stderr.lines().map_while(Result::ok) {
            if tx.send(line).is_err() {
                break;
            }
        }
    });
    let mut seen = Vec::new();
    loop {
        match rx.recv_timeout(PATIENCE) {
            Ok(line) if line == wanted => break,
            Ok(line) => seen.push(line),
            Err(_) => panic!("no line `{wanted}` on stderr; saw {seen:#?}"),
        }
    }
}

#[test]
fn serving_the_current_folder_sees_edits() {
    let (server, _stderr) = Server::start_talking();
    let events = server.events();
    let alpha = server.path("content/guide/alpha.md");
    let text = std::fs::read_to_string(&alpha).unwrap() + "\nEdited from the current folder.\n";
    save(&alpha, text);
    events.wait_for("reload");
    assert!(
        server
            .get("/guide/alpha/")
            .1
            .contains("Edited from the current folder.")
    );
}

#[test]
fn the_search_index_follows_edits() {
    let server = Server::start();
    let events = server.events();
    let (status, head, meta) = server.get_with_head("/search/meta.json");
    assert_eq!(status, 200);
    assert!(
        head.to_ascii_lowercase()
            .contains("cache-control: no-store"),
        "never cached, like the pages: {head}"
    );
    assert!(meta.contains("\"version\":1"), "{meta}");
    let (status, head, _) = server.get_with_head("/search/index/0.bin");
    assert_eq!(status, 200);
    assert!(
        head.to_ascii_lowercase()
            .contains("content-type: application/octet-stream"),
        "{head}"
    );
    let fragments = server.get("/search/pages/0.json").1;
    assert!(fragments.contains("\"title\":\"Alpha\""), "{fragments}");
    assert_eq!(server.get("/search/pages/99.json").0, 404);
    let alpha = server.path("content/guide/alpha.md");
    let text = std::fs::read_to_string(&alpha)
        .unwrap()
        .replace("title: Alpha", "title: Alpha renamed");
    save(&alpha, text);
    events.wait_for("reload");
    let fragments = server.get("/search/pages/0.json").1;
    assert!(
        fragments.contains("\"title\":\"Alpha renamed\""),
        "{fragments}"
    );
}

#[test]
fn a_second_server_on_the_same_site_is_a_clear_error() {
    let first = Server::start();
    let run = exits_within(
        Command::new(env!("CARGO_BIN_EXE_gatehouse"))
            .args(["serve", "--port", "0", "--root"])
            .arg(first.root.path()),
    );
    assert_eq!(run.status.code(), Some(1));
    let stderr = String::from_utf8(run.stderr).unwrap();
    let store = first
        .root
        .path()
        .canonicalize()
        .unwrap()
        .join(".gatehouse/edge.redb");
    assert_eq!(
        stderr,
        format!(
            "error: cannot open the edge store {}: another process has it open (is a `gatehouse serve` already running on this site? stop it, or give this one its own --state-dir)\n",
            store.display()
        )
    );
    // The first one is unharmed.
    assert_eq!(first.get("/guide/alpha/").0, 200);
}

#[test]
fn a_site_can_be_started_from_an_empty_folder() {
    let root = tempfile::tempdir().unwrap();
    std::fs::write(root.path().join("site.toml"), "title = \"New\"\n").unwrap();
    let server = Server::launch_in(root, true);
    let events = server.events();
    let (status, body) = server.get("/");
    assert_eq!(status, 503, "nothing to serve yet");
    assert!(
        body.contains("no content/ folder"),
        "the problem is shown: {body}"
    );
    std::fs::create_dir(server.path("content")).unwrap();
    events.wait_for("problems");
    save(
        server.path("content/index.md"),
        "---\ntitle: Hello\n---\nThe first page.\n",
    );
    events.wait_for("reload");
    let (status, body) = server.get("/");
    assert_eq!(status, 200);
    assert!(body.contains("The first page."), "{body}");
}

#[test]
fn template_edits_reload_and_a_broken_template_keeps_the_last_good_site() {
    let server = Server::start();
    let events = server.events();
    let template = server.path("themes/default/templates/page.html");
    let original = std::fs::read_to_string(&template).unwrap();
    save(
        &template,
        original.replace("<main>", "<main class=\"edited\">"),
    );
    events.wait_for("reload");
    assert!(
        server
            .get("/guide/alpha/")
            .1
            .contains("<main class=\"edited\">")
    );

    save(&template, original.replace("{% endfor %}", ""));
    let problems = events.wait_for("problems");
    assert!(problems.contains("page.html"), "{problems}");
    let (status, body) = server.get("/guide/alpha/");
    assert_eq!(status, 200);
    assert!(
        body.contains("<main class=\"edited\">"),
        "the last good templates still render"
    );

    save(&template, &original);
    events.wait_for("reload");
    let (_, body) = server.get("/guide/alpha/");
    assert!(
        body.contains("<main>") && !body.contains("gatehouse-overlay\""),
        "{body}"
    );
}

#[test]
fn the_terminal_says_when_there_is_no_good_build_to_fall_back_on() {
    let root = tempfile::tempdir().unwrap();
    std::fs::write(root.path().join("site.toml"), "title = \"New\"\n").unwrap();
    let mut server = Server::launch_in(root, false);
    let stderr = BufReader::new(server.child.stderr.take().expect("stderr is piped"));
    wait_for_line(
        stderr,
        "error: 1 problem found; nothing to serve until they are fixed (watching for changes)",
    );
}

/// Sends `request_line` with `Host: host` (and `body`, if any) and returns the status and
/// the body.
fn send_as(server: &Server, host: &str, request_line: &str, body: &str) -> (u16, String) {
    let address = server.url.trim_start_matches("http://");
    let mut stream = TcpStream::connect(address).unwrap();
    write!(
        stream,
        "{request_line}\r\nHost: {host}\r\nContent-Type: application/x-www-form-urlencoded\r\nContent-Length: {}\r\nConnection: close\r\n\r\n{body}",
        body.len()
    )
    .unwrap();
    let mut response = String::new();
    stream.read_to_string(&mut response).unwrap();
    let status = response[9..12].parse().unwrap();
    let body = response.split_once("\r\n\r\n").map_or("", |(_, b)| b);
    (status, body.to_string())
}

/// DNS rebinding: a page on a name the attacker points at 127.0.0.1 sends its own name in
/// `Host`; `serve` answers only loopback names, IP addresses and `--allow-host` names.
#[test]
fn requests_for_other_host_names_are_refused() {
    let root = tempfile::tempdir().unwrap();
    copy_dir(
        &Path::new(env!("CARGO_MANIFEST_DIR")).join("tests/fixtures/small"),
        root.path(),
    );
    let server = Server::launch_with_args(root, true, &["--allow-host", "Docs.Test"]);
    let port = server.url.rsplit(':').next().unwrap().to_string();

    for host in [
        "evil.example",
        &format!("evil.example:{port}"),
        "localhost.evil.example",
    ] {
        let (status, body) = send_as(&server, host, "GET / HTTP/1.1", "");
        assert_eq!(status, 403, "{host}");
        let name = host.split(':').next().unwrap();
        assert!(body.contains(&format!("--allow-host {name}")), "{body}");
        assert_eq!(
            send_as(&server, host, "GET /_dev/outbox HTTP/1.1", "").0,
            403
        );
    }
    let register =
        "email=victim%40example.test&first_name=A&last_name=B&organization=C&password=Rebind-pass1";
    assert_eq!(
        send_as(
            &server,
            "evil.example",
            "POST /api/register HTTP/1.1",
            register
        )
        .0,
        403
    );
    let (status, outbox) = send_as(
        &server,
        "127.0.0.1",
        "GET /_dev/outbox?to=victim%40example.test HTTP/1.1",
        "",
    );
    assert_eq!(status, 200);
    assert!(
        !outbox.contains("victim@example.test"),
        "nothing was registered"
    );

    for host in [
        format!("localhost:{port}"),
        "localhost".to_string(),
        format!("preview.localhost:{port}"),
        format!("127.0.0.1:{port}"),
        format!("[::1]:{port}"),
        format!("docs.test:{port}"),
        "DOCS.TEST".to_string(),
    ] {
        assert_eq!(
            send_as(&server, &host, "GET / HTTP/1.1", "").0,
            200,
            "{host}"
        );
    }
}

#[test]
fn a_commit_while_serving_dates_the_page_from_git() {
    let root = tempfile::tempdir().unwrap();
    copy_dir(
        &Path::new(env!("CARGO_MANIFEST_DIR")).join("tests/fixtures/small"),
        root.path(),
    );
    // The fixture's page template, showing the page's date as the default theme does.
    let template = root.path().join("themes/default/templates/page.html");
    let text = std::fs::read_to_string(&template).unwrap();
    let dated = text.replace(
        "</main>",
        "<p>Updated {{ page.updated.date }}{% if page.updated.uncommitted %} (not yet committed){% endif %}</p></main>",
    );
    std::fs::write(&template, dated).unwrap();
    git(root.path(), None, &["init", "-q"]);
    git(root.path(), None, &["add", "."]);
    git(root.path(), None, &["commit", "-q", "-m", "The site"]);
    let alpha = root.path().join("content/guide/alpha.md");
    let text = std::fs::read_to_string(&alpha).unwrap();
    std::fs::write(&alpha, text + "\nEdited.\n").unwrap();

    let server = Server::launch_in(root, true);
    let (_, page) = server.get("/guide/alpha/");
    assert!(page.contains("(not yet committed)"), "{page}");
    let events = server.events();
    git(
        server.root.path(),
        None,
        &["commit", "-q", "-a", "-m", "Edit alpha"],
    );
    events.wait_for("reload");
    let (_, page) = server.get("/guide/alpha/");
    assert!(
        page.contains("Edited.") && page.contains("<p>Updated "),
        "{page}"
    );
    assert!(
        !page.contains("(not yet committed)"),
        "the commit is seen: {page}"
    );
    // `git status` rewrites the index, which is not the history: nothing to rebuild.
    git(server.root.path(), None, &["status", "--short"]);
}
