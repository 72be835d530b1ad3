//! The `erpfront` command.

use std::io::Read;
use std::net::SocketAddr;
use std::path::PathBuf;
use std::process::ExitCode;
use std::sync::Arc;
use std::time::Duration;

use base64::Engine;
use clap::{Parser, Subcommand};

use erpfront::app::{Application, shutdown_signal};
use erpfront::check_config::CheckFailure;

use erpfront::config::{AdapterCheckConfig, Config, ConformanceConfig};
use erpfront::domain::CustomerId;
use erpfront::erp::demo::DemoErp;
use erpfront::sim::{self, SimAccess, SimControl};
use erpfront::{conformance, demo, telemetry, users};

/// A cached answer is served with many small, short-lived allocations (headers, extractors, keys,
/// JSON). Under load, glibc's malloc and free took about a fifth of erpfront's CPU on a cached hit,
/// and its per-thread arenas held memory well above the cache's byte bound (`tests/bench/run`, README
/// "Performance"); mimalloc is faster at both.
#[global_allocator]
static ALLOCATOR: mimalloc::MiMalloc = mimalloc::MiMalloc;

#[derive(Parser)]
#[command(
    version,
    about = "A stateless B2B storefront and gateway in front of your ERP"
)]
struct Cli {
    #[command(subcommand)]
    command: Command,
}

#[derive(Subcommand)]
enum Command {
    /// Run the storefront against the built-in demo ERP.
    Demo {
        /// Address to listen on.
        #[arg(long, default_value = "127.0.0.1:8080")]
        listen: SocketAddr,
        /// Address of the Prometheus metrics listener (port 0: any free port).
        #[arg(long, default_value = "127.0.0.1:9100")]
        metrics_listen: SocketAddr,
    },
    /// Run against the ERP a configuration file names.
    Serve {
        /// The TOML configuration (values may be overridden by ERPFRONT_* variables).
        #[arg(long, env = "ERPFRONT_CONFIG")]
        config: PathBuf,
    },
    /// Run the adapter conformance suite against an ERP and print its report. Exit status: 0
    /// every rule checked passed (skips allowed), 1 a rule failed, 2 the command or its
    /// configuration is wrong, 3 the preflight failed (ERP unreachable, credentials refused, a
    /// test customer unknown) and no rule ran. Creates test orders for the first customer.
    CheckAdapter {
        /// A configuration file: only its `[erp]` and `[conformance]` sections are read.
        #[arg(long, conflicts_with_all = ["demo", "http"])]
        config: Option<PathBuf>,
        /// Check the built-in demo ERP, with customers C-1000 and C-2000.
        #[arg(long, conflicts_with = "http")]
        demo: bool,
        /// Check the service speaking the HTTP adapter protocol at this base URL, without a
        /// configuration file.
        #[arg(long, value_name = "URL")]
        http: Option<String>,
        /// The bearer token the HTTP adapter service expects.
        #[arg(
            long,
            env = "ERPFRONT_CHECK_TOKEN",
            requires = "http",
            hide_env_values = true
        )]
        token: Option<String>,
        /// The test customer the suite creates orders for (overrides `conformance.customer`).
        #[arg(long, requires = "other_customer")]
        customer: Option<String>,
        /// A second customer, only read (overrides `conformance.other_customer`).
        #[arg(long, requires = "customer")]
        other_customer: Option<String>,
        /// Check only these rules: ids (`orders.create`) or groups (`orders`).
        #[arg(long, num_args = 1.., value_name = "RULE")]
        only: Vec<String>,
        /// Print the rules with what each asks of an adapter, and check nothing.
        #[arg(long)]
        list: bool,
        /// How to print the report: text, json or junit (JUnit XML for CI systems).
        #[arg(long, default_value = "text")]
        format: conformance::Format,
        /// How long one rule may take; must exceed the adapter's call deadline.
        #[arg(long, default_value_t = conformance::RULE_TIMEOUT.as_secs())]
        rule_timeout_secs: u64,
    },
    /// Serve the demo ERP over the HTTP adapter protocol, with faults on demand, for trying the
    /// `http` adapter or an adapter client. Its /admin API must not be reachable publicly.
    ErpSim {
        /// Address to listen on.
        #[arg(long, default_value = "127.0.0.1:7070")]
        listen: SocketAddr,
        /// Load the demo ERP's JSON files from this directory instead of the built-in copy.
        #[arg(long)]
        data: Option<PathBuf>,
        /// Require this bearer token on /admin/... .
        #[arg(long, env = "ERPFRONT_SIM_ADMIN_TOKEN")]
        admin_token: Option<String>,
        /// Require this bearer token on /v1/... (erpfront sends `[erp] token`).
        #[arg(long, env = "ERPFRONT_SIM_TOKEN")]
        token: Option<String>,
        /// Enter orders without one lock over the key check and the insert, as an ERP without a
        /// unique index on the key would; racing submissions of one key are settled afterwards
        /// (the lowest order number stays).
        #[arg(long)]
        no_order_lock: bool,
        /// Faults in force from the start (the admin API changes them later).
        #[command(flatten)]
        faults: erpfront::sim::Faults,
    },
    /// Check a configuration and the users file it names without serving. Exit status: 0 both
    /// are usable, 2 one is not (the message says what), 3 `--reach-erp` was given and the ERP
    /// did not answer.
    CheckConfig {
        /// The TOML configuration (values may be overridden by ERPFRONT_* variables).
        #[arg(long, env = "ERPFRONT_CONFIG")]
        config: PathBuf,
        /// Also call the ERP once, to see that it answers with these settings.
        #[arg(long)]
        reach_erp: bool,
    },
    /// Read a password on standard input and print its argon2 hash for the users file.
    HashPassword,
    /// Read an API token on standard input and print its SHA-256 for the users file.
    HashToken,
    /// Print a new random API token and its SHA-256.
    NewToken,
    /// Print a new random session key for `session.key`.
    NewSessionKey,
}

#[tokio::main]
async fn main() -> ExitCode {
    let cli = Cli::parse();
    match run(cli.command).await {
        Ok(()) => ExitCode::SUCCESS,
        Err(Failure { code, message }) => {
            eprintln!("erpfront: {message}");
            ExitCode::from(code)
        }
    }
}

/// Why a command stopped, and the exit status that says so.
struct Failure {
    code: u8,
    message: String,
}

impl Failure {
    /// The command or its configuration cannot be used (the status clap gives usage errors).
    fn usage(message: impl Into<String>) -> Self {
        Self {
            code: 2,
            message: message.into(),
        }
    }
}

impl From<String> for Failure {
    fn from(message: String) -> Self {
        Self { code: 1, message }
    }
}

#[expect(
    clippy::print_stdout,
    reason = "a command-line tool prints its results"
)]
async fn run(command: Command) -> Result<(), Failure> {
    match command {
        Command::Demo {
            listen,
            metrics_listen,
        } => {
            telemetry::init(telemetry::LogFormat::Text);
            let mut config = demo::config(listen);
            config.metrics.listen = metrics_listen;
            let erp = erpfront::erp::connect(&config.erp).map_err(|e| e.to_string())?;
            let users = demo::users().map_err(|e| e.to_string())?;
            let app = Application::with_parts(&config, erp, users)
                .await
                .map_err(|e| e.to_string())?;
            println!("erpfront demo: http://{}", app.local_addr());
            if let Some(metrics) = app.metrics_addr() {
                println!("Metrics (Prometheus): http://{metrics}/metrics");
            }
            println!("Demo logins (password \"demo\"):");
            for (login, _, role, customer, token) in demo::DEMO_LOGINS {
                println!("  {login:<26} {role:<12} {customer:<18} API token: {token}");
            }
            println!(
                "Status for operators: curl -H 'Authorization: Bearer {}' http://{}/status.json",
                demo::DEMO_OPERATOR_TOKEN,
                app.local_addr()
            );
            println!(
                "PunchOut (README, \"PunchOut\"): cXML http://{0}/punchout/cxml/setup as NetworkID AN01000001000, shared secret northwind-punchout-secret; OCI http://{0}/punchout/oci with USERNAME northwind-srm, PASSWORD northwind-oci",
                app.local_addr()
            );
            let served = app.run_until(shutdown_signal()).await;
            telemetry::shutdown();
            served.map_err(|e| e.to_string()).map_err(Failure::from)
        }
        Command::Serve { config } => {
            // Read first: it says how to log. Its own errors go to standard error as they are.
            let config = Config::load(&config).map_err(|e| e.to_string())?;
            telemetry::init(config.log.format);
            let app = Application::build(&config)
                .await
                .map_err(|e| e.to_string())?;
            match app.metrics_addr() {
                Some(metrics) => {
                    tracing::info!(listen = %app.local_addr(), %metrics, "erpfront serving");
                }
                None => tracing::info!(listen = %app.local_addr(), "erpfront serving"),
            }
            let served = app.run_until(shutdown_signal()).await;
            telemetry::shutdown();
            served.map_err(|e| e.to_string()).map_err(Failure::from)
        }
        Command::CheckAdapter {
            config,
            demo,
            http,
            token,
            customer,
            other_customer,
            only,
            list,
            format,
            rule_timeout_secs,
        } => {
            if list {
                for (id, description) in conformance::rule_list() {
                    println!("{id:<36} {description}");
                }
                return Ok(());
            }
            let selection = conformance::Selection::only(&only).map_err(Failure::usage)?;
            let rule_timeout = Duration::from_secs(rule_timeout_secs.max(1));
            let customers = match (customer, other_customer) {
                (Some(customer), Some(other)) => Some(ConformanceConfig {
                    customer: CustomerId::parse(&customer)
                        .map_err(|e| Failure::usage(format!("--customer: {e}")))?,
                    other_customer: CustomerId::parse(&other)
                        .map_err(|e| Failure::usage(format!("--other-customer: {e}")))?,
                }),
                _ => None,
            };
            let subject = if demo {
                conformance::demo_subject()?
            } else {
                let (erp, configured) = match (config, http) {
                    (Some(path), _) => {
                        let check = AdapterCheckConfig::load(&path)
                            .map_err(|e| Failure::usage(e.to_string()))?;
                        (check.erp, check.conformance)
                    }
                    (None, Some(url)) => (conformance::http_target(&url, token), None),
                    (None, None) => {
                        return Err(Failure::usage(
                            "name the ERP to check: --config FILE, --http URL or --demo",
                        ));
                    }
                };
                let customers = customers.or(configured);
                conformance::subject_for(&erp, customers.as_ref(), rule_timeout)
                    .await
                    .map_err(Failure::usage)?
            };
            let adapter = subject.erp.name();
            if let Err(reason) = conformance::preflight(&subject, rule_timeout).await {
                println!("{}", format.preflight_failure(adapter, &reason));
                return Err(Failure {
                    code: 3,
                    message: "the preflight failed, so no rule ran".into(),
                });
            }
            let report = conformance::run_selected(&subject, &selection, rule_timeout).await;
            println!("{}", format.report(adapter, &report));
            if report.passed() {
                Ok(())
            } else {
                Err(format!(
                    "the adapter fails {} conformance rule(s)",
                    report.failed_count()
                )
                .into())
            }
        }
        Command::ErpSim {
            listen,
            data,
            admin_token,
            token,
            no_order_lock,
            faults,
        } => {
            telemetry::init(telemetry::LogFormat::Text);
            let mut demo = match data {
                Some(dir) => DemoErp::from_dir(&dir),
                None => DemoErp::embedded(),
            }
            .map_err(|e| e.to_string())?;
            if no_order_lock {
                demo = demo.without_order_lock();
            }
            let control = SimControl::new(SimAccess {
                admin_token,
                protocol_token: token,
            });
            control.set_faults(faults)?;
            let listener = tokio::net::TcpListener::bind(listen)
                .await
                .map_err(|e| format!("cannot listen on {listen}: {e}"))?;
            let addr = listener.local_addr().map_err(|e| e.to_string())?;
            println!("erp-sim listening on http://{addr}");
            println!("  protocol: http://{addr}/v1/ (described at /v1/openapi.json)");
            println!("  admin:    http://{addr}/admin/faults, /admin/calls (keep private)");
            tokio::select! {
                () = sim::serve(listener, sim::router(Arc::new(demo), &control)) => Ok(()),
                () = shutdown_signal() => Ok(()),
            }
        }
        Command::CheckConfig { config, reach_erp } => {
            match erpfront::check_config::check(&config, reach_erp).await {
                Ok(report) => {
                    for line in report {
                        println!("{line}");
                    }
                    Ok(())
                }
                Err(CheckFailure::Unusable(message)) => Err(Failure::usage(message)),
                Err(CheckFailure::Unreachable(message)) => Err(Failure { code: 3, message }),
            }
        }
        Command::HashPassword => {
            println!("{}", users::hash_password(&read_stdin()?));
            Ok(())
        }
        Command::HashToken => {
            println!("{}", hex::encode(users::token_hash(&read_stdin()?)));
            Ok(())
        }
        Command::NewToken => {
            let token = format!(
                "efk_{}{}",
                uuid::Uuid::new_v4().simple(),
                uuid::Uuid::new_v4().simple()
            );
            println!(
                "token:  {token}\nsha256: {}",
                hex::encode(users::token_hash(&token))
            );
            Ok(())
        }
        Command::NewSessionKey => {
            let key = axum_extra::extract::cookie::Key::generate();
            println!(
                "{}",
                base64::engine::general_purpose::STANDARD.encode(key.master())
            );
            Ok(())
        }
    }
}

fn read_stdin() -> Result<String, String> {
    let mut text = String::new();
    std::io::stdin()
        .read_to_string(&mut text)
        .map_err(|e| e.to_string())?;
    let text = text.trim_end_matches(['\r', '\n']).to_string();
    if text.is_empty() {
        return Err("nothing on standard input".into());
    }
    Ok(text)
}
