//! The command line, as scripts drive it: no prompt, clear errors, exit codes.

mod common;

use std::io::Write as _;
use std::path::Path;
use std::process::{Command, Output, Stdio};

use common::{demo_content, write};

fn tawasul(data: &Path, args: &[&str]) -> Command {
    let mut command = Command::new(env!("CARGO_BIN_EXE_tawasul"));
    command.arg("--data").arg(data).args(args);
    for (key, _) in std::env::vars() {
        if key.starts_with("TAWASUL_") {
            command.env_remove(key);
        }
    }
    command.env("TAWASUL_LOG", "warn");
    command
}

fn text(output: &Output) -> (String, String) {
    (
        String::from_utf8_lossy(&output.stdout).into_owned(),
        String::from_utf8_lossy(&output.stderr).into_owned(),
    )
}

#[test]
fn help_explains_every_command_in_plain_words() {
    let output = Command::new(env!("CARGO_BIN_EXE_tawasul"))
        .arg("--help")
        .output()
        .expect("run");
    assert!(output.status.success());
    let (stdout, _) = text(&output);
    for command in ["serve", "migrate", "demo", "site", "user", "import"] {
        assert!(stdout.contains(command), "{command} in {stdout}");
    }
    let output = Command::new(env!("CARGO_BIN_EXE_tawasul"))
        .args(["user", "add", "--help"])
        .output()
        .expect("run");
    let (stdout, _) = text(&output);
    assert!(
        stdout.contains("--password-stdin") && stdout.contains("--platform-admin"),
        "{stdout}"
    );
}

#[test]
fn a_wrong_configuration_value_names_its_key() {
    let data = tempfile::tempdir().expect("dir");
    let output = tawasul(data.path(), &["migrate"])
        .env("TAWASUL_SERVER_LISTEN", "everywhere")
        .output()
        .expect("run");
    assert!(!output.status.success());
    let (_, stderr) = text(&output);
    assert!(stderr.to_lowercase().contains("server.listen"), "{stderr}");

    let config = data.path().join("tawasul.toml");
    std::fs::write(&config, "[database]\nurl = \"mysql://db/tawasul\"\n").expect("write");
    let output = tawasul(
        data.path(),
        &["--config", config.to_str().expect("utf-8"), "migrate"],
    )
    .output()
    .expect("run");
    let (_, stderr) = text(&output);
    assert!(!output.status.success());
    assert!(
        stderr.contains("database.url") && stderr.contains("postgres://"),
        "{stderr}"
    );
}

#[tokio::test]
async fn sites_users_and_content_are_created_by_script() {
    let data = tempfile::tempdir().expect("dir");
    // On a PostgreSQL run, every command of this script shares one database.
    let db_url = common::test_database_url().await;
    let with_db = |mut c: Command| {
        if let Some(url) = &db_url {
            c.env("TAWASUL_DATABASE_URL", url);
        }
        c
    };
    assert!(with_db(tawasul(data.path(), &["migrate"]))
        .output()
        .expect("migrate")
        .status
        .success());

    let run = |args: &[&str]| {
        let output = with_db(tawasul(data.path(), args)).output().expect("run");
        let (stdout, stderr) = text(&output);
        assert!(output.status.success(), "{args:?}\n{stdout}\n{stderr}");
        stdout
    };
    run(&[
        "site",
        "add",
        "--slug",
        "aref-oriental",
        "--kind",
        "academy",
        "--name-ar",
        "أكاديمية الشرق",
        "--name-fr",
        "AREF de l'Oriental",
    ]);
    run(&[
        "site",
        "add",
        "--slug",
        "dp-oujda",
        "--kind",
        "directorate",
        "--parent",
        "aref-oriental",
        "--name-ar",
        "مديرية وجدة",
        "--name-fr",
        "DP Oujda",
        "--host",
        "oujda.example",
    ]);
    let listed = run(&["site", "list"]);
    assert!(
        listed.contains("dp-oujda")
            && listed.contains("oujda.example")
            && listed.contains("aref-oriental"),
        "{listed}"
    );

    let refused = with_db(tawasul(
        data.path(),
        &[
            "site",
            "add",
            "--slug",
            "dp-x",
            "--kind",
            "directorate",
            "--name-ar",
            "م",
            "--name-fr",
            "D",
        ],
    ))
    .output()
    .expect("run");
    assert!(!refused.status.success());
    assert!(
        text(&refused).1.contains("must belong to a parent site"),
        "{}",
        text(&refused).1
    );

    let mut child = with_db(tawasul(
        data.path(),
        &[
            "user",
            "add",
            "--email",
            "Officer@Oujda.Example",
            "--name",
            "Salma Berrada",
            "--password-stdin",
            "--site",
            "dp-oujda",
            "--role",
            "editor",
        ],
    ))
    .stdin(Stdio::piped())
    .stdout(Stdio::piped())
    .stderr(Stdio::piped())
    .spawn()
    .expect("spawn");
    child
        .stdin
        .take()
        .expect("stdin")
        .write_all(b"a long enough passphrase\n")
        .expect("write");
    let output = child.wait_with_output().expect("wait");
    let (stdout, stderr) = text(&output);
    assert!(output.status.success(), "{stdout}{stderr}");
    assert!(
        stdout.contains("officer@oujda.example") && stdout.contains("editor of dp-oujda"),
        "{stdout}"
    );

    let short = with_db(tawasul(
        data.path(),
        &[
            "user",
            "add",
            "--email",
            "x@oujda.example",
            "--name",
            "X",
            "--password-stdin",
        ],
    ))
    .stdin(Stdio::null())
    .output()
    .expect("run");
    assert!(
        !short.status.success(),
        "an empty standard input is not a password"
    );

    let content = tempfile::tempdir().expect("content");
    write(
        &content.path().join("hello.md"),
        "+++\nkind = \"news\"\nlocale = \"fr\"\ntitle = \"Bonjour Oujda\"\nstatus = \"published\"\npublished_at = 2026-11-01T08:00:00Z\n+++\n\nPremier article.\n",
    );
    let dir = content.path().to_str().expect("utf-8");
    let imported = run(&["import", "markdown", dir, "--site", "dp-oujda"]);
    assert!(imported.contains("1 entries created"), "{imported}");
    let again = run(&["import", "markdown", dir, "--site", "dp-oujda"]);
    assert!(
        again.contains("0 entries created, 0 updated, 1 unchanged"),
        "{again}"
    );

    write(&content.path().join("broken.md"), "+++\nkind = news\n+++\n");
    let output = with_db(tawasul(
        data.path(),
        &["import", "markdown", dir, "--site", "dp-oujda"],
    ))
    .output()
    .expect("run");
    let (_, stderr) = text(&output);
    assert!(!output.status.success());
    assert!(
        stderr.contains("broken.md:2:") && stderr.contains("nothing was written"),
        "{stderr}"
    );
}

#[test]
fn demo_loads_the_network_prints_addresses_and_logins_and_protects_other_folders() {
    let parent = tempfile::tempdir().expect("dir");
    let data = parent.path().join("demo");
    let content = demo_content();
    let args = [
        "demo",
        "--no-serve",
        "--listen",
        "127.0.0.1:9999",
        "--content",
        content.to_str().expect("utf-8"),
    ];
    let output = tawasul(&data, &args).output().expect("run");
    let (stdout, stderr) = text(&output);
    assert!(output.status.success(), "{stdout}\n{stderr}");
    assert!(
        stdout.contains("http://127.0.0.1:9999/dp-rabat/"),
        "{stdout}"
    );
    assert!(stdout.contains("admin@tawasul.example"), "{stdout}");
    // A second run starts afresh from its own folder.
    assert!(tawasul(&data, &args)
        .output()
        .expect("run")
        .status
        .success());

    let precious = parent.path().join("precious");
    write(&precious.join("thesis.txt"), "years of work");
    let output = tawasul(&precious, &args).output().expect("run");
    assert!(!output.status.success());
    assert!(text(&output).1.contains("will not delete it"));
    assert!(precious.join("thesis.txt").exists());
}

#[tokio::test]
async fn adopting_imported_photos_says_what_it_would_do_then_does_it_once() {
    let data = tempfile::tempdir().expect("dir");
    // A demo network whose photos were imported the old way (SQLite in the
    // data folder, as the command below opens it).
    {
        let mut config = tawasul_app::Config::default();
        config.paths.data = data.path().to_owned();
        let app = tawasul_app::App::open(config).await.expect("open");
        app.load_network(&demo_content()).await.expect("the demo");
        common::old_imports::as_imported_before(&app, "dp-sale").await;
    }
    let adopt = |extra: &[&str]| {
        let mut args = vec!["media", "adopt-imported", "--site", "dp-sale"];
        args.extend_from_slice(extra);
        let output = tawasul(data.path(), &args).output().expect("run");
        let (stdout, stderr) = text(&output);
        assert!(output.status.success(), "{stdout}\n{stderr}");
        stdout
    };
    let dry = adopt(&["--dry-run"]);
    assert!(dry.starts_with("dry run: nothing was written"), "{dry}");
    assert!(dry.contains("would show library photos"), "{dry}");
    assert!(!dry.contains("0 to make"), "{dry}");
    let done = adopt(&[]);
    assert!(done.contains("now show library photos"), "{done}");
    assert!(done.contains("0 files left as they were"), "{done}");
    assert_eq!(
        done.replace("now show", "would show")
            .replace(" made,", " to make,"),
        dry.trim_start_matches("dry run: nothing was written\n")
    );
    let again = adopt(&[]);
    assert!(
        again.starts_with("0 entries showed imported photos"),
        "{again}"
    );
}
