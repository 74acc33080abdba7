//! `gatehouse serve`: the writers' preview. Builds the site into memory, serves it with
//! live reload, rebuilds only what a change affects (see [`live`]), and hosts the edge
//! backend on the same port over an embedded store in `.gatehouse/`, so the forms work.
//!
//! Threads: a watcher thread turns file events into rebuilds (which use rayon); the
//! HTTP server runs on a single-threaded async runtime with `spawn_local`, because the
//! edge core promises no `Send` futures (its traits cannot: Workers futures are not
//! `Send`), even though the native host's happen to be. One thread is plenty for a
//! preview, because nothing slow runs on it: password hashing goes to the edge's native
//! hashing threads, and the mail a form causes is sent on a background task after the
//! answer.
//!
//! Only requests for this machine are answered ([`http::host_allowed`]): loopback names,
//! IP addresses and the names given with `--allow-host`. Anything else gets 403, so a web
//! page whose name an attacker points at 127.0.0.1 (DNS rebinding) cannot read the dev
//! outbox or post the forms.

pub mod http;
pub mod live;
pub mod reload;
pub mod watch;

use std::io::Write as _;
use std::net::{IpAddr, SocketAddr, TcpListener};
use std::path::{Path, PathBuf};
use std::rc::Rc;
use std::sync::Arc;
use std::time::Instant;

use edge::native::MailNotices;
use hyper::server::conn::http1;
use hyper::service::service_fn;
use hyper_util::rt::TokioIo;
use serde_json::Value;
use tokio::sync::broadcast;

use crate::config::SiteConfig;
use crate::pipeline::BuildOptions;
use live::{LiveEvent, LiveSite, Pending};

#[derive(Debug, Clone)]
pub struct ServeOptions {
    pub root: PathBuf,
    pub bind: IpAddr,
    pub port: u16,
    pub open: bool,
    pub drafts: bool,
    pub quiet: bool,
    /// Where the backend keeps accounts and the dev outbox; `<root>/.gatehouse` by default.
    pub state_dir: Option<PathBuf>,
    /// Host names answered besides loopback names and IP addresses (`--allow-host`).
    pub allow_hosts: Vec<String>,
}

#[derive(Debug, thiserror::Error)]
pub enum ServeError {
    #[error(
        "port {port} on {ip} is already in use; choose another with --port (or --port 0 for any free port)"
    )]
    PortInUse { ip: IpAddr, port: u16 },
    #[error("cannot listen on {addr}: {source}")]
    Bind {
        addr: SocketAddr,
        source: std::io::Error,
    },
    #[error("cannot open the site folder {} (is --root right?): {source}", path.display())]
    Root {
        path: PathBuf,
        source: std::io::Error,
    },
    #[error("cannot watch the site for changes: {0}")]
    Watch(#[from] notify::Error),
    #[error("site.toml: [edge.limits]: {0}")]
    Limits(edge::ConfigError),
    #[error(transparent)]
    Edge(#[from] edge::native::NativeError),
    #[error("{0}")]
    Io(#[from] std::io::Error),
}

/// The edge core asks for form pages by URL; they come from the live site in memory.
#[derive(Clone)]
pub struct LivePages(Arc<LiveSite>);

impl edge::Pages for LivePages {
    async fn page(&self, path: &str) -> Option<String> {
        match self.0.page(path)? {
            Ok(html) => String::from_utf8(html.to_vec()).ok(),
            Err(_) => None,
        }
    }
}

pub fn run(mut options: ServeOptions) -> Result<(), ServeError> {
    // Absolute from here on: notify reports event paths made absolute (`/site/./content/a.md`
    // for a watch on `./content`), which a relative root such as the default `.` is not a
    // prefix of, so every edit was ignored.
    options.root = options
        .root
        .canonicalize()
        .map_err(|source| ServeError::Root {
            path: options.root.clone(),
            source,
        })?;
    let addr = SocketAddr::new(options.bind, options.port);
    let listener = TcpListener::bind(addr).map_err(|source| match source.kind() {
        std::io::ErrorKind::AddrInUse => ServeError::PortInUse {
            ip: options.bind,
            port: options.port,
        },
        _ => ServeError::Bind { addr, source },
    })?;
    listener.set_nonblocking(true)?;
    let local = listener.local_addr()?;
    let url = format!("http://{local}");

    let started = Instant::now();
    let live = Arc::new(LiveSite::new(BuildOptions {
        root: options.root.clone(),
        out: None,
        base_url: Some(url.clone()),
        drafts: options.drafts,
    }));
    let snapshot = live.snapshot();
    let edge_config = edge_config(&options.root, &url)?;
    let state_dir = options
        .state_dir
        .clone()
        .unwrap_or_else(|| options.root.join(".gatehouse"));
    let notices = if options.quiet {
        MailNotices::Quiet
    } else {
        MailNotices::Stderr {
            outbox_url: format!("{url}/_dev/outbox"),
        }
    };
    let edge = edge::native::edge(state_dir, LivePages(live.clone()), edge_config, notices)?;

    // The URL goes to stdout alone on its line: scripts and tests read it from there.
    println!("Serving {url}/");
    let _ = std::io::stdout().flush();
    if !options.quiet {
        match &snapshot.site {
            Some(site) if !site.complete => eprintln!(
                "Laid out {} pages in {} ms; making them and checking links, then watching for changes (Ctrl-C to stop)",
                site.pages.len(),
                started.elapsed().as_millis()
            ),
            Some(site) => {
                eprintln!(
                    "Built {} pages in {} ms; watching for changes (Ctrl-C to stop)",
                    site.pages.len(),
                    started.elapsed().as_millis()
                );
                print_warnings(site);
            }
            None => print_problems(&snapshot.problems, false),
        }
    }

    let (events, _) = broadcast::channel(64);
    let watcher = watch::InputWatcher::new(&options.root)?;
    spawn_rebuilder(watcher, live.clone(), events.clone(), options.quiet);

    if options.open {
        let _ = std::process::Command::new("xdg-open")
            .arg(format!("{url}/"))
            .spawn();
    }

    let server = Rc::new(http::Server {
        live,
        edge,
        events,
        allowed_hosts: http::AllowedHosts::new(&options.allow_hosts),
        instance: format!(
            "{:x}",
            std::time::SystemTime::now()
                .duration_since(std::time::UNIX_EPOCH)
                .map_or(0, |d| d.as_nanos())
        ),
    });
    let runtime = tokio::runtime::Builder::new_current_thread()
        .enable_all()
        .build()?;
    let local_set = tokio::task::LocalSet::new();
    local_set.block_on(&runtime, async move {
        let listener = tokio::net::TcpListener::from_std(listener)?;
        loop {
            tokio::select! {
                accepted = listener.accept() => {
                    let Ok((stream, peer)) = accepted else { continue };
                    let server = server.clone();
                    tokio::task::spawn_local(async move {
                        let service = service_fn(move |req| {
                            let server = server.clone();
                            async move { Ok::<_, std::convert::Infallible>(server.handle(req, peer).await) }
                        });
                        let _ = http1::Builder::new().serve_connection(TokioIo::new(stream), service).await;
                    });
                }
                _ = tokio::signal::ctrl_c() => {
                    eprintln!("Stopped.");
                    return Ok(());
                }
            }
        }
    })
}

fn spawn_rebuilder(
    mut watcher: watch::InputWatcher,
    live: Arc<LiveSite>,
    events: broadcast::Sender<LiveEvent>,
    quiet: bool,
) {
    std::thread::spawn(move || {
        // A large site is served laid out only: make the rest before watching.
        if live.snapshot().site.is_some_and(|site| !site.complete) {
            let started = Instant::now();
            match live.complete() {
                Some(LiveEvent::Problems(problems)) => {
                    if !quiet {
                        print_problems(&problems, live.snapshot().site.is_some());
                    }
                    let _ = events.send(LiveEvent::Problems(problems));
                }
                Some(event) => {
                    let _ = events.send(event);
                }
                None if !quiet => {
                    eprintln!(
                        "Made every page and checked its links in {} ms",
                        started.elapsed().as_millis()
                    );
                    if let Some(site) = live.snapshot().site {
                        print_warnings(&site);
                    }
                }
                None => {}
            }
        }
        let mut pending = Pending::default();
        while let Some(batch) = watcher.next_batch() {
            let started = Instant::now();
            for event in live.apply(&batch, &mut pending) {
                if !quiet {
                    let changed: Vec<String> = batch
                        .iter()
                        .map(|p| {
                            p.strip_prefix(live.root())
                                .unwrap_or(p)
                                .display()
                                .to_string()
                        })
                        .collect();
                    match &event {
                        LiveEvent::Reload { .. } => {
                            eprintln!(
                                "Rebuilt in {} ms: {}",
                                started.elapsed().as_millis(),
                                changed.join(", ")
                            );
                            if let Some(site) = live.snapshot().site {
                                print_warnings(&site);
                            }
                        }
                        LiveEvent::Css { path } => eprintln!("Stylesheet changed: {path}"),
                        LiveEvent::Problems(problems) => {
                            print_problems(problems, live.snapshot().site.is_some())
                        }
                    }
                }
                let _ = events.send(event);
            }
        }
    });
}

/// What `build` would print as warnings (`[links] level = "warn"`, code languages nothing
/// highlights): they never stop the preview, but the writer sees them after every
/// rebuild, as `build` shows them (a language once per rebuild that rendered its pages).
fn print_warnings(site: &crate::pipeline::Site) {
    for warning in &site.all_warnings() {
        eprintln!("warning: {warning}");
    }
    for warning in crate::highlight::take_unknown_language_warnings() {
        eprintln!("warning: {warning}");
    }
}

fn print_problems(problems: &[String], have_good_build: bool) {
    for problem in problems {
        eprintln!("error: {problem}");
    }
    eprintln!(
        "error: {} problem{} found; {}",
        problems.len(),
        if problems.len() == 1 { "" } else { "s" },
        if have_good_build {
            "still serving the last good build"
        } else {
            "nothing to serve until they are fixed (watching for changes)"
        }
    );
}

/// The backend's settings, read once at start: the served URL, dev mode on, and from
/// `site.toml` `title`, `[edge] product_name`, `[edge] mail_from` and `[edge.limits] NAME`
/// (numbers or strings); names and defaults are the edge's
/// ([`edge::EdgeConfig::from_lookup`]). Read from `site.toml` itself, not from the built
/// site, so they apply even while the content has errors. A bad limit stops `serve`
/// before it listens.
fn edge_config(root: &Path, url: &str) -> Result<edge::EdgeConfig, ServeError> {
    use edge::config::setting;
    let site_value = SiteConfig::load(root, Some(url)).map_or(Value::Null, |config| config.site);
    let text = |value: &Value| value.as_str().map(str::to_owned);
    let lookup = |name: &str| match name.strip_prefix(setting::LIMITS_PREFIX) {
        // A number or a string; anything else reaches the edge's check as written.
        Some(limit) => {
            let value = site_value.get("edge")?.get("limits")?.get(limit)?;
            Some(text(value).unwrap_or_else(|| value.to_string()))
        }
        None if name == setting::SITE_TITLE => text(site_value.get("title")?),
        None => text(site_value.get("edge")?.get(name)?),
    };
    edge::EdgeConfig::from_lookup(url.to_string(), true, lookup).map_err(ServeError::Limits)
}
