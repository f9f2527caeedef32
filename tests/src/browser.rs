//! Headless Chromium for the end-to-end tests, driven over WebDriver by
//! fantoccini through chromedriver.
//!
//! [`with_browser`] runs one test body against a fresh browser. It starts
//! chromedriver in its own process group, and Chromium with an empty profile
//! and `TMPDIR` in a temporary folder. It bounds the body with
//! [`TEST_TIMEOUT`] and saves a screenshot and the page HTML when the body
//! panics or times out. In every case it stops the processes it started,
//! because dropping the driver kills its whole process group, Chromium
//! included.

use std::fs::OpenOptions;
use std::io::{BufRead, BufReader};
use std::net::SocketAddr;
use std::os::unix::fs::PermissionsExt;
use std::os::unix::process::CommandExt;
use std::panic::AssertUnwindSafe;
use std::path::{Path, PathBuf};
use std::process::{Child, Command, Stdio};
use std::sync::atomic::{AtomicU64, Ordering};
use std::sync::mpsc;
use std::time::{Duration, Instant};

use axum::response::Html;
use axum::routing::get;
use axum::Router;
use fantoccini::cookies::Cookie;
use fantoccini::elements::Element;
use fantoccini::wd::{Capabilities, WebDriverCompatibleCommand};
use fantoccini::{Client, ClientBuilder, Locator};
use futures_util::FutureExt;
use http::Method;
use hyper_util::client::legacy::connect::HttpConnector;
use rustix::process::{kill_process_group, Pid, Signal};
use serde_json::{json, Value};
use tempfile::TempDir;
use tokio::sync::Mutex;
use tokio::task::JoinHandle;
use url::{ParseError, Url};

/// Maximum run time of one test body, counted from the moment its browser
/// is ready.
pub const TEST_TIMEOUT: Duration = Duration::from_secs(60);

/// Maximum time to start chromedriver and open a Chromium session.
const START_TIMEOUT: Duration = Duration::from_secs(30);

/// Maximum time for each clean-up step: saving artifacts, closing Chromium.
const CLEANUP_TIMEOUT: Duration = Duration::from_secs(10);

/// Maximum time the helpers wait for an element or a page load.
const WAIT_TIMEOUT: Duration = Duration::from_secs(10);

/// Interval between two checks while waiting.
const POLL_INTERVAL: Duration = Duration::from_millis(50);

/// Command that installs both programs on Debian.
const INSTALL_COMMAND: &str = "apt-get install -y chromium chromium-driver";

/// Chromium flags for a root user on a machine without internet access.
/// The network flags stop background requests to Google services. The proxy
/// at the closed port 127.0.0.1:9 catches any request that still tries to
/// leave the machine. Chromium sends requests to `localhost`, 127.0.0.0/8,
/// `[::1]` and link-local addresses directly and all others through the
/// proxy (its implicit bypass rules since version 72, described in
/// `net/docs/proxy.md` of Chromium's source).
const CHROMIUM_FLAGS: &[&str] = &[
    "--headless",
    "--no-sandbox",
    "--disable-gpu",
    "--disable-quic",
    "--no-first-run",
    "--disable-background-networking",
    "--disable-component-update",
    "--disable-sync",
    "--disable-dev-shm-usage",
    "--window-size=1024,768",
    "--proxy-server=http://127.0.0.1:9",
];

/// Runs one browser test at a time. Each Chromium runs about ten processes,
/// and browsers started side by side compete for the CPU, which makes the
/// time a page takes to load, and so the timeouts, less predictable.
static BROWSER_LOCK: Mutex<()> = Mutex::const_new(());

/// Runs `body` with a fresh headless Chromium and stops the browser and its
/// driver afterwards, whether the body returns, panics or times out.
///
/// `test_name` names the folder of the failure artifacts, see
/// [`artifacts_dir`]. Browser tests run one after the other, and the
/// [`TEST_TIMEOUT`] starts once this test's browser is ready.
///
/// # Panics
///
/// Panics when Chromium or chromedriver is missing or fails to start, and
/// passes on the panic of `body`. A timed-out body panics too.
pub async fn with_browser(test_name: &str, body: impl AsyncFnOnce(&Browser)) {
    let _turn = BROWSER_LOCK.lock().await;

    let artifacts = artifacts_dir(test_name);
    // Artifacts of an earlier failed run would be mistaken for this run's.
    if let Err(error) = std::fs::remove_dir_all(&artifacts) {
        if error.kind() != std::io::ErrorKind::NotFound {
            eprintln!(
                "removing old artifacts {} failed: {error}",
                artifacts.display()
            );
        }
    }

    let browser = tokio::time::timeout(START_TIMEOUT, Browser::start())
        .await
        .unwrap_or_else(|_| panic!("starting Chromium timed out after {START_TIMEOUT:?}"));

    let outcome = tokio::time::timeout(
        TEST_TIMEOUT,
        AssertUnwindSafe(body(&browser)).catch_unwind(),
    )
    .await;
    let passed = matches!(outcome, Ok(Ok(())));
    if !passed {
        browser.save_artifacts(&artifacts).await;
    }
    browser.close().await;

    match outcome {
        Ok(Ok(())) => {}
        Ok(Err(panic)) => std::panic::resume_unwind(panic),
        Err(_) => panic!("test {test_name} timed out after {TEST_TIMEOUT:?}"),
    }
}

/// Returns the folder for the screenshot and page HTML of a failed test:
/// `e2e-artifacts/<test_name>` in `CARGO_TARGET_DIR` when that is set, or
/// else in the workspace's `target` folder.
pub fn artifacts_dir(test_name: &str) -> PathBuf {
    let workspace = workspace_dir();
    // NOTE: cargo resolves a relative CARGO_TARGET_DIR against the folder it
    // was started in, which a test cannot see. This takes the workspace
    // folder instead, which is the same for the usual `cargo test` there.
    let target = match std::env::var_os("CARGO_TARGET_DIR") {
        Some(dir) if !dir.is_empty() => workspace.join(dir),
        _ => workspace.join("target"),
    };
    target.join("e2e-artifacts").join(test_name)
}

/// Returns the workspace folder, the parent of this package's folder.
pub fn workspace_dir() -> PathBuf {
    let package = Path::new(env!("CARGO_MANIFEST_DIR"));
    package.parent().unwrap_or(package).to_path_buf()
}

/// A headless Chromium session with helpers that act as a user does. Each
/// helper panics with the selector and the current URL when WebDriver
/// fails, because they are meant for test bodies.
pub struct Browser {
    // Fields drop in this order: the WebDriver client, then the driver's
    // process group, then the folder the browser wrote to.
    client: Client,
    driver: DriverProcess,
    folder: TempDir,
    page_marks: AtomicU64,
}

impl Browser {
    async fn start() -> Self {
        let (chromium, chromedriver) = find_browser_programs();

        let folder = tempfile::Builder::new()
            .prefix("e2e-browser-")
            .tempdir()
            .expect("create the browser's temporary folder");
        let profile = folder.path().join("profile");
        let tmp = folder.path().join("tmp");
        for dir in [&profile, &tmp] {
            std::fs::create_dir(dir)
                .unwrap_or_else(|error| panic!("create {}: {error}", dir.display()));
        }

        let driver =
            DriverProcess::start(&chromedriver, &tmp, &folder.path().join("chromedriver.log"));

        let mut args: Vec<String> = CHROMIUM_FLAGS
            .iter()
            .map(|flag| (*flag).to_owned())
            .collect();
        args.push(format!("--user-data-dir={}", profile.display()));
        let capabilities: Capabilities = serde_json::from_value(json!({
            "browserName": "chrome",
            "pageLoadStrategy": "normal",
            "timeouts": { "implicit": 0, "pageLoad": 20_000, "script": 10_000 },
            "goog:chromeOptions": { "binary": chromium, "args": args },
        }))
        .expect("the capabilities are a JSON object");

        let client = ClientBuilder::new(HttpConnector::new())
            .capabilities(capabilities)
            .connect(&format!("http://127.0.0.1:{}", driver.port))
            .await
            .unwrap_or_else(|error| {
                panic!(
                    "opening a Chromium session through chromedriver failed: {error}. Its log: {}",
                    folder.path().join("chromedriver.log").display()
                )
            });

        Self {
            client,
            driver,
            folder,
            page_marks: AtomicU64::new(0),
        }
    }

    /// Returns the WebDriver client, for what the helpers do not cover.
    pub fn client(&self) -> &Client {
        &self.client
    }

    /// Opens `url` as if typed into the address bar, and waits for the page
    /// to load.
    pub async fn open(&self, url: &str) {
        self.navigate(&format!("open {url}"), self.client.goto(url))
            .await;
    }

    /// Clicks the element that matches `css`, such as a link or a submit
    /// button, and waits for the page it leads to.
    pub async fn click_and_load(&self, css: &str) {
        let element = self.find(css).await;
        self.navigate(&format!("click `{css}`"), element.click())
            .await;
    }

    /// Presses the browser's back button and waits for the page to load.
    pub async fn back(&self) {
        self.navigate("go back", self.client.back()).await;
    }

    /// Reloads the page and waits for it to load.
    pub async fn reload(&self) {
        self.navigate("reload", self.client.refresh()).await;
    }

    /// Clicks the element that matches `css` without waiting for a page.
    pub async fn click(&self, css: &str) {
        let element = self.find(css).await;
        if let Err(error) = element.click().await {
            panic!("click `{css}` on {} failed: {error}", self.url().await);
        }
    }

    /// Types `text` into the empty field that matches `css`.
    pub async fn fill(&self, css: &str, text: &str) {
        let element = self.find(css).await;
        let typed = async {
            element.clear().await?;
            element.send_keys(text).await
        };
        if let Err(error) = typed.await {
            panic!(
                "typing into `{css}` on {} failed: {error}",
                self.url().await
            );
        }
    }

    /// Waits up to [`WAIT_TIMEOUT`] for an element that matches `css`.
    pub async fn find(&self, css: &str) -> Element {
        let found = self
            .client
            .wait()
            .at_most(WAIT_TIMEOUT)
            .every(POLL_INTERVAL)
            .for_element(Locator::Css(css))
            .await;
        match found {
            Ok(element) => element,
            Err(error) => panic!(
                "no element matches `{css}` on {}: {error}",
                self.url().await
            ),
        }
    }

    /// Returns every element that matches `css` right now, without waiting.
    pub async fn find_all(&self, css: &str) -> Vec<Element> {
        match self.client.find_all(Locator::Css(css)).await {
            Ok(elements) => elements,
            Err(error) => panic!("finding `{css}` on {} failed: {error}", self.url().await),
        }
    }

    /// Returns the visible text of the element that matches `css`.
    pub async fn text(&self, css: &str) -> String {
        let element = self.find(css).await;
        match element.text().await {
            Ok(text) => text,
            Err(error) => panic!("reading the text of `{css}` failed: {error}"),
        }
    }

    /// Returns the visible text of every element that matches `css` right
    /// now, without waiting.
    pub async fn texts(&self, css: &str) -> Vec<String> {
        let mut texts = Vec::new();
        for element in self.find_all(css).await {
            match element.text().await {
                Ok(text) => texts.push(text),
                Err(error) => panic!("reading the text of `{css}` failed: {error}"),
            }
        }
        texts
    }

    /// Returns the current `value` of the form field that matches `css`.
    pub async fn value(&self, css: &str) -> String {
        let element = self.find(css).await;
        match element.prop("value").await {
            Ok(value) => value.unwrap_or_default(),
            Err(error) => panic!("reading the value of `{css}` failed: {error}"),
        }
    }

    /// Returns the position and size of the element that matches `css` as
    /// `(x, y, width, height)` in CSS pixels.
    pub async fn rectangle(&self, css: &str) -> (f64, f64, f64, f64) {
        let element = self.find(css).await;
        match element.rectangle().await {
            Ok(rectangle) => rectangle,
            Err(error) => panic!("reading the position of `{css}` failed: {error}"),
        }
    }

    /// Returns the visible text of the whole page.
    pub async fn page_text(&self) -> String {
        self.text("body").await
    }

    /// Returns the URL of the page shown.
    pub async fn url(&self) -> String {
        match self.client.current_url().await {
            Ok(url) => url.to_string(),
            Err(error) => format!("(unknown URL: {error})"),
        }
    }

    /// Returns the path of the page shown, such as `/register`.
    pub async fn path(&self) -> String {
        match self.client.current_url().await {
            Ok(url) => url.path().to_owned(),
            Err(error) => panic!("reading the current URL failed: {error}"),
        }
    }

    /// Returns the cookies the browser keeps for the page shown, with the
    /// attributes it stored.
    pub async fn cookies(&self) -> Vec<Cookie<'static>> {
        match self.client.get_all_cookies().await {
            Ok(cookies) => cookies,
            Err(error) => panic!("reading cookies on {} failed: {error}", self.url().await),
        }
    }

    /// Runs `script` in the page and returns its result.
    pub async fn execute(&self, script: &str, args: Vec<Value>) -> Value {
        match self.client.execute(script, args).await {
            Ok(value) => value,
            Err(error) => panic!("script failed on {}: {error}\n{script}", self.url().await),
        }
    }

    /// Returns whether the page shown was restored from the back/forward
    /// cache: it then still carries the mark that the navigation helpers set
    /// before the browser left it, while a page loaded anew has none.
    pub async fn restored_from_back_forward_cache(&self) -> bool {
        let marked = self
            .execute("return window.__e2ePageMark !== undefined;", vec![])
            .await;
        marked == Value::Bool(true)
    }

    /// Resizes the window so that the page area, and so a screenshot, is
    /// `width` by `height` CSS pixels.
    pub async fn set_viewport_size(&self, width: u32, height: u32) {
        let frame = self
            .execute(
                "return [window.outerWidth - window.innerWidth, \
                         window.outerHeight - window.innerHeight];",
                vec![],
            )
            .await;
        let frame_size = |index: usize| {
            frame[index]
                .as_u64()
                .and_then(|pixels| u32::try_from(pixels).ok())
                .unwrap_or_else(|| panic!("window frame size is not a number: {frame}"))
        };
        let (frame_width, frame_height) = (frame_size(0), frame_size(1));
        if let Err(error) = self
            .client
            .set_window_size(width + frame_width, height + frame_height)
            .await
        {
            panic!("resizing the window failed: {error}");
        }
    }

    /// Makes the current tab fetch every resource from the server, as with
    /// "Disable cache" in Chrome's developer tools. Without it, Chromium
    /// takes the stylesheet and icon of the page before from its cache.
    pub async fn disable_cache(&self) {
        let commands = [
            DevToolsCommand {
                method: "Network.enable",
                params: json!({}),
            },
            DevToolsCommand {
                method: "Network.setCacheDisabled",
                params: json!({ "cacheDisabled": true }),
            },
        ];
        for command in commands {
            let method = command.method;
            if let Err(error) = self.client.issue_cmd(command).await {
                panic!("disabling the cache with {method} failed: {error}");
            }
        }
    }

    /// Returns a PNG screenshot of the visible part of the page.
    pub async fn screenshot(&self) -> Vec<u8> {
        match self.client.screenshot().await {
            Ok(png) => png,
            Err(error) => panic!("screenshot of {} failed: {error}", self.url().await),
        }
    }

    /// Starts a navigation with `action` and waits until a new document has
    /// loaded. A mark left in the old document distinguishes it from the new
    /// one, so a check that follows never reads the page that was left.
    async fn navigate(
        &self,
        what: &str,
        action: impl std::future::Future<Output = Result<(), fantoccini::error::CmdError>>,
    ) {
        let mark = self.page_marks.fetch_add(1, Ordering::Relaxed).to_string();
        self.execute("window.__e2ePageMark = arguments[0];", vec![json!(mark)])
            .await;

        if let Err(error) = action.await {
            panic!("{what} from {} failed: {error}", self.url().await);
        }

        let deadline = Instant::now() + WAIT_TIMEOUT;
        let check = "return document.readyState === 'complete' \
                     && window.__e2ePageMark !== arguments[0];";
        let mut last_error = None;
        loop {
            // While the old document unloads, a script may fail, which only
            // means that the new page is not ready yet.
            match self.client.execute(check, vec![json!(mark)]).await {
                Ok(Value::Bool(true)) => return,
                Ok(_) => {}
                Err(error) => last_error = Some(error.to_string()),
            }
            if Instant::now() >= deadline {
                panic!(
                    "{what}: no new page loaded within {WAIT_TIMEOUT:?}, still on {} \
                     (last script error: {})",
                    self.url().await,
                    last_error.as_deref().unwrap_or("none"),
                );
            }
            tokio::time::sleep(POLL_INTERVAL).await;
        }
    }

    /// Saves `screenshot.png`, `page.html` and `chromedriver.log` to
    /// `folder` and prints their paths. It only reports its own failures,
    /// because it runs while a test is failing already.
    async fn save_artifacts(&self, folder: &Path) {
        if let Err(error) = std::fs::create_dir_all(folder) {
            eprintln!(
                "creating the artifacts folder {} failed: {error}",
                folder.display()
            );
            return;
        }
        eprintln!("browser test failed on {}", self.url().await);

        let screenshot = folder.join("screenshot.png");
        match tokio::time::timeout(CLEANUP_TIMEOUT, self.client.screenshot()).await {
            Ok(Ok(png)) => save_artifact(&screenshot, &png),
            Ok(Err(error)) => eprintln!("taking the failure screenshot failed: {error}"),
            Err(_) => eprintln!("taking the failure screenshot timed out"),
        }

        let html = folder.join("page.html");
        match tokio::time::timeout(CLEANUP_TIMEOUT, self.client.source()).await {
            Ok(Ok(source)) => save_artifact(&html, source.as_bytes()),
            Ok(Err(error)) => eprintln!("reading the page HTML failed: {error}"),
            Err(_) => eprintln!("reading the page HTML timed out"),
        }

        let log = self.folder.path().join("chromedriver.log");
        match std::fs::read(&log) {
            Ok(bytes) => save_artifact(&folder.join("chromedriver.log"), &bytes),
            Err(error) => eprintln!("reading {} failed: {error}", log.display()),
        }
    }

    /// Ends the WebDriver session, which closes Chromium, then stops
    /// chromedriver's process group and removes the temporary folder.
    async fn close(self) {
        let Self {
            client,
            driver,
            folder,
            ..
        } = self;
        match tokio::time::timeout(CLEANUP_TIMEOUT, client.close()).await {
            Ok(Ok(())) => {}
            Ok(Err(error)) => eprintln!("closing Chromium failed: {error}. Killing it instead."),
            Err(_) => eprintln!("closing Chromium timed out. Killing it instead."),
        }
        drop(driver);
        drop(folder);
    }
}

/// A Chrome DevTools Protocol command, sent through chromedriver's
/// `goog/cdp/execute` endpoint to the current tab.
#[derive(Debug)]
struct DevToolsCommand {
    method: &'static str,
    params: Value,
}

impl WebDriverCompatibleCommand for DevToolsCommand {
    fn endpoint(&self, base_url: &Url, session_id: Option<&str>) -> Result<Url, ParseError> {
        let session_id = session_id.unwrap_or_default();
        base_url.join(&format!("session/{session_id}/goog/cdp/execute"))
    }

    fn method_and_body(&self, _request_url: &Url) -> (Method, Option<String>) {
        let body = json!({ "cmd": self.method, "params": self.params });
        (Method::POST, Some(body.to_string()))
    }
}

fn save_artifact(path: &Path, bytes: &[u8]) {
    match std::fs::write(path, bytes) {
        Ok(()) => eprintln!("saved {}", path.display()),
        Err(error) => eprintln!("saving {} failed: {error}", path.display()),
    }
}

/// Returns the paths of `chromium` and `chromedriver` on `PATH`.
///
/// # Panics
///
/// Panics with the install command when either is missing, so that a
/// machine without a browser fails the tests instead of skipping them.
fn find_browser_programs() -> (PathBuf, PathBuf) {
    let chromium = find_program("chromium");
    let chromedriver = find_program("chromedriver");
    let missing: Vec<&str> = [("chromium", &chromium), ("chromedriver", &chromedriver)]
        .into_iter()
        .filter(|(_, path)| path.is_none())
        .map(|(name, _)| name)
        .collect();
    match (chromium, chromedriver) {
        (Some(chromium), Some(chromedriver)) => (chromium, chromedriver),
        _ => panic!(
            "{} not found on PATH, and the browser tests need both Chromium and \
             chromedriver. Install them with: {INSTALL_COMMAND}",
            missing.join(" and ")
        ),
    }
}

fn find_program(name: &str) -> Option<PathBuf> {
    let path = std::env::var_os("PATH")?;
    std::env::split_paths(&path)
        .map(|dir| dir.join(name))
        .find(|candidate| {
            std::fs::metadata(candidate)
                .map(|metadata| metadata.is_file() && metadata.permissions().mode() & 0o111 != 0)
                .unwrap_or(false)
        })
}

/// chromedriver running in its own process group. Dropping it kills the
/// group, which contains the driver and every Chromium process it started.
struct DriverProcess {
    child: Child,
    port: u16,
}

impl DriverProcess {
    /// Starts `chromedriver --port=0` and reads the port it chose from its
    /// standard output.
    fn start(program: &Path, tmp: &Path, log: &Path) -> Self {
        // chromedriver appends its log of WebDriver commands to `log`, and
        // its standard error goes there too.
        let stderr = OpenOptions::new()
            .create(true)
            .append(true)
            .open(log)
            .unwrap_or_else(|error| panic!("create {}: {error}", log.display()));
        let mut child = Command::new(program)
            .arg("--port=0")
            .arg(format!("--log-path={}", log.display()))
            .arg("--append-log")
            .env("TMPDIR", tmp)
            .stdin(Stdio::null())
            .stdout(Stdio::piped())
            .stderr(stderr)
            .process_group(0)
            .spawn()
            .unwrap_or_else(|error| panic!("starting {} failed: {error}", program.display()));
        let stdout = child.stdout.take();
        // From here on, dropping `driver` stops the process group, also when
        // reading the port fails below.
        let mut driver = Self { child, port: 0 };

        let Some(stdout) = stdout else {
            panic!("chromedriver's standard output was not captured");
        };
        let (sender, receiver) = mpsc::channel();
        std::thread::spawn(move || {
            let mut lines = BufReader::new(stdout).lines();
            let mut seen = Vec::new();
            let mut port = None;
            // chromedriver 156 prints "Starting ChromeDriver … on port 0"
            // first and "ChromeDriver was started successfully on port N."
            // once it listens, so this reads up to the first real port.
            for line in lines.by_ref().take(20) {
                let Ok(line) = line else { break };
                port = port_in_line(&line);
                if port.is_some() {
                    break;
                }
                seen.push(line);
            }
            // The receiver may have timed out and gone away already.
            let _ = sender.send(port.ok_or(seen));
            // Keep reading so that chromedriver never blocks on a full pipe.
            // The loop ends when the process group is killed.
            for _ in lines {}
        });

        match receiver.recv_timeout(START_TIMEOUT) {
            Ok(Ok(port)) => driver.port = port,
            Ok(Err(seen)) => panic!(
                "chromedriver printed no port. Its output:\n{}\nIts log: {}",
                seen.join("\n"),
                log.display()
            ),
            Err(_) => panic!(
                "chromedriver printed no port within {START_TIMEOUT:?}. Its log: {}",
                log.display()
            ),
        }
        driver
    }
}

/// Returns the port of a chromedriver line such as "ChromeDriver was
/// started successfully on port 43369.", unless it is 0.
fn port_in_line(line: &str) -> Option<u16> {
    let (_, after) = line.rsplit_once("on port ")?;
    let digits: String = after.chars().take_while(char::is_ascii_digit).collect();
    digits.parse().ok().filter(|port| *port != 0)
}

impl Drop for DriverProcess {
    fn drop(&mut self) {
        // The child was spawned with `process_group(0)`, so its id is also
        // the id of its process group.
        let group = Pid::from_child(&self.child);
        if let Err(error) = kill_process_group(group, Signal::KILL) {
            // ESRCH: the group has ended already.
            if error != rustix::io::Errno::SRCH {
                eprintln!("killing chromedriver's process group {group:?} failed: {error}");
            }
        }
        if let Err(error) = self.child.wait() {
            eprintln!("waiting for chromedriver to exit failed: {error}");
        }
    }
}

/// A one-page site served on `127.0.0.1` and reached as `localhost`, which
/// browsers treat as a different site from `127.0.0.1`. It plays another
/// site that links to the demo, such as a webmail page.
pub struct OtherSite {
    address: SocketAddr,
    server: JoinHandle<()>,
}

impl OtherSite {
    /// Serves `html` at `/` on an ephemeral port.
    pub async fn start(html: String) -> Self {
        let listener = tokio::net::TcpListener::bind("127.0.0.1:0")
            .await
            .expect("bind 127.0.0.1:0");
        let address = listener.local_addr().expect("local address");
        let app = Router::new().route("/", get(move || async move { Html(html) }));
        let server = tokio::spawn(async move {
            axum::serve(listener, app)
                .await
                .expect("serve the other site");
        });
        Self { address, server }
    }

    /// Returns the URL of the page, with the host `localhost`.
    pub fn url(&self) -> String {
        format!("http://localhost:{}/", self.address.port())
    }
}

impl Drop for OtherSite {
    fn drop(&mut self) {
        self.server.abort();
    }
}
