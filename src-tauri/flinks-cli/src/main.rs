//! `flinks`: the documented Flinks calls and the whole attributes flow from a terminal.
//!
//! Secrets are read from the environment (FLINKS_SECRET_KEY, FLINKS_X_API_KEY, FLINKS_LOGIN_ID)
//! so they stay out of shell history; the flags exist for scripts that pass them another way.
//! Output goes to stdout (JSON or CSV), progress to stderr.

use std::io::Write;
use std::time::Duration;

use anyhow::{bail, Context, Result};
use clap::{Parser, Subcommand, ValueEnum};
use desk_core::export::neutralize;
use flinks_client::{
    AccountsDetailOptions, AttributeValue, Attributes, AuthorizeOutcome, Environment, FlinksClient,
    Flow, FlowError, LiveCredentials, LoginId, NumberOfStatements, Package, PollPolicy, RequestId,
    RetryPolicy, Secret, SecurityResponse, StatementsOptions,
};
use tokio_util::sync::CancellationToken;

mod data;
use data::{print_accounts, print_poll, print_progress, write_statements};

#[derive(Parser)]
#[command(
    name = "flinks",
    version,
    about = "Call the Flinks API from a terminal"
)]
struct Cli {
    /// https://{instance}-api.private.fin.ag, or a sandbox's URL.
    #[arg(long, env = "FLINKS_API_BASE_URL")]
    api_base_url: String,
    #[arg(long, env = "FLINKS_CUSTOMER_ID")]
    customer_id: String,
    /// Sent as x-api-key on data endpoints.
    #[arg(long, env = "FLINKS_X_API_KEY", hide_env_values = true, global = true)]
    api_key: Option<String>,
    /// Secret key: buys authorize tokens (`token`, `connect-url`, and `flow` on instances that
    /// require one).
    #[arg(long, env = "FLINKS_SECRET_KEY", hide_env_values = true, global = true)]
    secret_key: Option<String>,
    /// Milliseconds between GetAccountsDetailAsync calls (Flinks asks for 10 s).
    #[arg(long, default_value_t = 10_000, global = true)]
    poll_interval_ms: u64,
    /// Give up polling after this many seconds (Flinks: 30 minutes).
    #[arg(long, default_value_t = 1800, global = true)]
    poll_timeout_s: u64,
    /// Per-request timeout in seconds.
    #[arg(long, default_value_t = 30, global = true)]
    timeout_secs: u64,
    #[command(subcommand)]
    command: Command,
}

/// The exit code says what failed, for scripts.
mod exit {
    /// Bad arguments (clap's own code).
    pub const USAGE: u8 = 2;
    /// Flinks answered with an error (its FlinksCode is on stderr).
    pub const API: u8 = 3;
    /// Flinks could not be reached, or did not answer in time.
    pub const NETWORK: u8 = 4;
    /// Flinks answered something that is not Flinks JSON.
    pub const DECODE: u8 = 5;
    /// Still pending when the poll timeout ran out.
    pub const POLL_TIMEOUT: u8 = 6;
    /// Interrupted (Ctrl-C).
    pub const CANCELLED: u8 = 130;
    pub const OTHER: u8 = 1;
}

#[derive(Clone, Copy, ValueEnum)]
enum Format {
    Json,
    Csv,
}

#[derive(Subcommand)]
enum Command {
    /// GenerateAuthorizeToken (needs --secret-key): a single-use token for Authorize or Connect.
    Token,
    /// Authorize: cached with --login-id (MostRecentCached), or live with --institution and
    /// --username (the password from FLINKS_PASSWORD or a prompt; security questions are asked on
    /// the terminal). Prints the RequestId, and for a live sign-in the loginId on a second line.
    Authorize {
        #[arg(
            long,
            env = "FLINKS_LOGIN_ID",
            hide_env_values = true,
            required_unless_present = "username",
            conflicts_with = "username"
        )]
        login_id: Option<String>,
        /// Live: the institution's Flinks id, e.g. FlinksCapital.
        #[arg(long, requires = "username", default_value = "FlinksCapital")]
        institution: String,
        /// Live: the bank username.
        #[arg(long)]
        username: Option<String>,
        /// Live: the bank password (better: FLINKS_PASSWORD, or leave it out to be asked).
        #[arg(long, env = "FLINKS_PASSWORD", hide_env_values = true)]
        password: Option<String>,
        /// Live: keep the login so its loginId works in cached mode later.
        #[arg(long)]
        save: bool,
        /// Live: en or fr, the language of the security questions.
        #[arg(long)]
        language: Option<String>,
        /// Live: a label Flinks echoes back.
        #[arg(long)]
        tag: Option<String>,
        /// An authorize token, for instances that require one (bought with --secret-key if absent).
        #[arg(long, env = "FLINKS_AUTHORIZE_TOKEN", hide_env_values = true)]
        token: Option<String>,
    },
    /// GetAccountsDetail, polling GetAccountsDetailAsync while pending: prints the accounts.
    Accounts {
        #[arg(long, env = "FLINKS_LOGIN_ID", hide_env_values = true)]
        login_id: String,
        #[arg(long)]
        request_id: String,
    },
    /// GetAccountsSummary, polling GetAccountsSummaryAsync while pending: the accounts and
    /// their balances, without transactions.
    AccountsSummary {
        #[arg(long, env = "FLINKS_LOGIN_ID", hide_env_values = true)]
        login_id: String,
        #[arg(long)]
        request_id: String,
    },
    /// GetStatements, polling GetStatementsAsync while pending: writes each PDF statement into
    /// --out and prints what it wrote.
    Statements {
        #[arg(long, env = "FLINKS_LOGIN_ID", hide_env_values = true)]
        login_id: String,
        #[arg(long)]
        request_id: String,
        /// The folder the PDFs go into (created if missing).
        #[arg(long)]
        out: std::path::PathBuf,
        /// MostRecent, Months3 or Months12 (which wants exactly one --account).
        #[arg(long, default_value = "MostRecent")]
        number: NumberOfStatements,
        /// Only this account (an Id from `accounts`); repeatable.
        #[arg(long = "account")]
        accounts: Vec<String>,
    },
    /// SetScheduledRefresh: Flinks refreshes the login every night (or, with --off, no more).
    ScheduledRefresh {
        #[arg(long, env = "FLINKS_LOGIN_ID", hide_env_values = true)]
        login_id: String,
        #[arg(long)]
        off: bool,
    },
    /// GetMFAQuestions: the login's security questions, one a line. With --answer, asks each on
    /// the terminal and sends the answers (AnswerMFAQuestions) for the nightly refresh.
    MfaQuestions {
        #[arg(long, env = "FLINKS_LOGIN_ID", hide_env_values = true)]
        login_id: String,
        #[arg(long)]
        answer: bool,
    },
    /// One attributes package for a session whose data is ready.
    Attributes {
        /// income, lending, credit-risk, user-analysis, business-analysis or all.
        #[arg(value_parser = parse_package)]
        package: Package,
        #[arg(long, env = "FLINKS_LOGIN_ID", hide_env_values = true)]
        login_id: String,
        #[arg(long)]
        request_id: String,
        #[arg(long, value_enum, default_value_t = Format::Json)]
        format: Format,
    },
    /// The whole flow: Authorize → GetAccountsDetail (polled) → the package's attributes.
    Flow {
        #[arg(long, env = "FLINKS_LOGIN_ID", hide_env_values = true)]
        login_id: String,
        #[arg(long, value_parser = parse_package)]
        package: Package,
        #[arg(long, value_enum, default_value_t = Format::Json)]
        format: Format,
    },
    /// The Flinks Connect URL for a fresh authorize token (needs --secret-key).
    ConnectUrl {
        /// The Connect iframe's base, e.g. https://toolbox-iframe.private.fin.ag/v2/.
        #[arg(long)]
        iframe_base_url: String,
        #[arg(long)]
        redirect_url: String,
    },
    /// DeleteCard: Flinks forgets the loginId and its data.
    DeleteCard {
        #[arg(long, env = "FLINKS_LOGIN_ID", hide_env_values = true)]
        login_id: String,
    },
    /// The attribute library: every attribute's unit, category and definition.
    Library,
}

fn parse_package(s: &str) -> Result<Package, String> {
    s.parse()
}

fn value_text(v: &AttributeValue) -> String {
    match v {
        AttributeValue::Number(d) => d.normalize().to_string(),
        AttributeValue::Text(s) => s.clone(),
        AttributeValue::Bool(b) => b.to_string(),
        AttributeValue::Null => String::new(),
    }
}

fn print_attributes(attrs: &Attributes, request_id: &RequestId, format: Format) -> Result<()> {
    let stdout = std::io::stdout();
    match format {
        Format::Json => {
            let values: serde_json::Map<String, serde_json::Value> = attrs
                .values
                .iter()
                .map(|(k, v)| Ok((k.clone(), serde_json::to_value(v)?)))
                .collect::<Result<_, serde_json::Error>>()?;
            let out = serde_json::json!({ "RequestId": request_id, "Attributes": values });
            serde_json::to_writer_pretty(stdout.lock(), &out)?;
            writeln!(stdout.lock())?;
        }
        Format::Csv => {
            let mut w = csv::Writer::from_writer(stdout.lock());
            write_row(&mut w, ["attribute", "value"])?;
            for (name, value) in &attrs.values {
                write_row(&mut w, [name.as_str(), value_text(value).as_str()])?;
            }
            w.flush()?;
        }
    }
    Ok(())
}

/// Attribute names and texts come from Flinks, and this CSV is opened in spreadsheets like the
/// desk's export: a cell that begins like a formula must not run there.
fn write_row<W: Write>(w: &mut csv::Writer<W>, cells: [&str; 2]) -> csv::Result<()> {
    w.write_record(cells.map(|c| neutralize(c).into_owned()))
}

/// Reads one line from the terminal after printing `prompt` on stderr; `None` at end of input.
fn ask(prompt: &str) -> Result<Option<String>> {
    eprint!("{prompt}");
    std::io::stderr().flush()?;
    let mut line = String::new();
    if std::io::stdin().read_line(&mut line)? == 0 {
        return Ok(None);
    }
    Ok(Some(line.trim_end_matches(['\r', '\n']).to_owned()))
}

/// A live Authorize, answering the bank's security questions from the terminal until the
/// session opens (Flinks may ask more than once).
async fn authorize_live(
    client: &FlinksClient,
    credentials: &LiveCredentials,
    key: Option<&Secret>,
    token: Option<Secret>,
) -> Result<flinks_client::Authorized> {
    // One token per Authorize call: a bought one is spent by the first.
    let mut token = match token {
        Some(t) => Some(t),
        None => buy_token(client, key).await?,
    };
    let mut outcome = client.authorize_live(credentials, token.as_ref()).await?;
    loop {
        match outcome {
            AuthorizeOutcome::Authorized(a) => return Ok(a),
            AuthorizeOutcome::Challenge {
                request_id,
                challenges,
            } => {
                let mut responses = Vec::new();
                for c in &challenges {
                    let Some(answer) = ask(&format!("{}: ", c.prompt))? else {
                        bail!("no answer to the security question; nothing was saved");
                    };
                    responses.push(SecurityResponse {
                        prompt: c.prompt.clone(),
                        answer: Secret::new(answer),
                    });
                }
                token = buy_token(client, key).await?;
                outcome = client
                    .answer_challenge(&request_id, &responses, token.as_ref())
                    .await?;
            }
        }
    }
}

async fn buy_token(client: &FlinksClient, key: Option<&Secret>) -> Result<Option<Secret>> {
    Ok(match key {
        Some(key) => Some(client.generate_authorize_token(key).await?),
        None => None,
    })
}

/// Cancelled by Ctrl-C, so a wait can end cleanly with its own exit code.
fn ctrl_c_token() -> CancellationToken {
    let cancel = CancellationToken::new();
    let ctrl_c = cancel.clone();
    tokio::spawn(async move {
        if tokio::signal::ctrl_c().await.is_ok() {
            ctrl_c.cancel();
        }
    });
    cancel
}

async fn wait(
    client: &FlinksClient,
    login_id: &LoginId,
    request_id: &RequestId,
    policy: PollPolicy,
) -> Result<flinks_client::AccountsDetail> {
    let cancel = ctrl_c_token();
    Ok(client
        .wait_accounts_detail(
            login_id,
            request_id,
            &AccountsDetailOptions::default(),
            policy,
            &cancel,
            print_poll,
        )
        .await?)
}

async fn run(cli: Cli) -> Result<()> {
    let mut env = Environment::new(&cli.api_base_url, &cli.customer_id)?;
    env.x_api_key = cli.api_key.map(Secret::new);
    let secret_key = cli.secret_key.map(Secret::new);
    env.secret_key = secret_key.clone();
    let client = FlinksClient::with_timeout(env, Duration::from_secs(cli.timeout_secs.max(1)))?;
    let policy = PollPolicy {
        interval: Duration::from_millis(cli.poll_interval_ms),
        max_wait: Duration::from_secs(cli.poll_timeout_s),
    };
    let need_secret = || {
        secret_key
            .as_ref()
            .context("this command needs --secret-key (or FLINKS_SECRET_KEY)")
    };
    match cli.command {
        Command::Token => {
            let token = client.generate_authorize_token(need_secret()?).await?;
            // A token is printed on request only: this command exists to obtain one.
            println!("{}", token.expose());
        }
        Command::Authorize {
            login_id,
            institution,
            username,
            password,
            save,
            language,
            tag,
            token,
        } => {
            let token = token.map(Secret::new);
            if let Some(login_id) = login_id {
                let token = match token {
                    Some(t) => Some(t),
                    None => buy_token(&client, secret_key.as_ref()).await?,
                };
                match client
                    .authorize_cached(&LoginId::new(login_id), token.as_ref())
                    .await?
                {
                    AuthorizeOutcome::Authorized(a) => println!("{}", a.request_id),
                    AuthorizeOutcome::Challenge { .. } => bail!(
                        "the bank asks a security question for this login; sign in live (--username) or through Flinks Connect"
                    ),
                }
            } else {
                let password = match password {
                    Some(p) => p,
                    None => ask("Password: ")?.context("no password given")?,
                };
                let credentials = LiveCredentials {
                    institution,
                    username: Secret::new(username.unwrap_or_default()),
                    password: Secret::new(password),
                    language,
                    save,
                    tag,
                };
                let a = authorize_live(&client, &credentials, secret_key.as_ref(), token).await?;
                println!("{}", a.request_id);
                // Printed because obtaining it is the point of a saved live sign-in.
                println!("{}", a.login.id.expose());
            }
        }
        Command::Accounts {
            login_id,
            request_id,
        } => {
            let login_id = LoginId::new(login_id);
            let detail = wait(&client, &login_id, &RequestId(request_id), policy).await?;
            print_accounts(&detail)?;
        }
        Command::AccountsSummary {
            login_id,
            request_id,
        } => {
            let summary = client
                .wait_accounts_summary(
                    &LoginId::new(login_id),
                    &RequestId(request_id),
                    policy,
                    &ctrl_c_token(),
                    print_poll,
                )
                .await?;
            print_accounts(&summary)?;
        }
        Command::Statements {
            login_id,
            request_id,
            out,
            number,
            accounts,
        } => {
            let options = StatementsOptions {
                number,
                accounts_filter: accounts,
            };
            let statements = client
                .wait_statements(
                    &LoginId::new(login_id),
                    &RequestId(request_id),
                    &options,
                    policy,
                    &ctrl_c_token(),
                    print_poll,
                )
                .await?;
            let written = write_statements(&statements, &out)?;
            serde_json::to_writer_pretty(std::io::stdout().lock(), &written)?;
            println!();
        }
        Command::ScheduledRefresh { login_id, off } => {
            let login_id = LoginId::new(login_id);
            client.set_scheduled_refresh(&login_id, !off).await?;
            let now = if off {
                "no longer refreshes"
            } else {
                "now refreshes"
            };
            eprintln!(
                "Flinks {now} the loginId ending in {} every night",
                login_id.last4()
            );
        }
        Command::MfaQuestions { login_id, answer } => {
            let login_id = LoginId::new(login_id);
            let prompts = client.mfa_questions(&login_id).await?;
            if !answer {
                for prompt in &prompts {
                    println!("{prompt}");
                }
                return Ok(());
            }
            let mut answers = Vec::new();
            for prompt in prompts {
                let Some(reply) = ask(&format!("{prompt}: "))? else {
                    bail!("no answer to a security question; nothing was sent");
                };
                answers.push(SecurityResponse {
                    prompt,
                    answer: Secret::new(reply),
                });
            }
            client.answer_mfa_questions(&login_id, &answers).await?;
            eprintln!("Flinks took {} answers", answers.len());
        }
        Command::Attributes {
            package,
            login_id,
            request_id,
            format,
        } => {
            let request_id = RequestId(request_id);
            let attrs = client
                .attributes(package, &LoginId::new(login_id), &request_id)
                .await?;
            print_attributes(&attrs, &request_id, format)?;
        }
        Command::Flow {
            login_id,
            package,
            format,
        } => {
            let login_id = LoginId::new(login_id);
            let cancel = ctrl_c_token();
            let flow = Flow {
                client: &client,
                poll: policy,
                retry: RetryPolicy::default(),
                // With a secret key, each Authorize gets the token newer instances ask for.
                authorize_key: secret_key.as_ref(),
                cancel: &cancel,
                progress: &print_progress,
            };
            let out = match flow.run(&login_id, package).await {
                Ok(out) => out,
                Err(FlowError::Flinks(e)) => return Err(e.into()),
                Err(e @ FlowError::SecurityChallenge) => {
                    bail!("{e}; sign in live (authorize --username) or through Flinks Connect")
                }
            };
            print_attributes(&out.attributes, &out.request_id, format)?;
        }
        Command::ConnectUrl {
            iframe_base_url,
            redirect_url,
        } => {
            let token = client.generate_authorize_token(need_secret()?).await?;
            let url = flinks_client::connect_url(
                &iframe_base_url,
                &token,
                &redirect_url,
                &flinks_client::ConnectOptions::default(),
            )?;
            // The URL carries a single-use token: printed because obtaining it is the point.
            println!("{url}");
        }
        Command::DeleteCard { login_id } => {
            let login_id = LoginId::new(login_id);
            client.delete_card(&login_id).await?;
            eprintln!("Flinks deleted the loginId ending in {}", login_id.last4());
        }
        Command::Library => {
            let library = client.attribute_library().await?;
            let rows: Vec<serde_json::Value> = library
                .iter()
                .map(|e| {
                    serde_json::json!({
                        "Name": e.name, "Packages": e.packages, "Unit": e.unit,
                        "Category": e.category, "Definition": e.definition,
                    })
                })
                .collect();
            serde_json::to_writer_pretty(std::io::stdout().lock(), &rows)?;
            println!();
        }
    }
    Ok(())
}

fn exit_code(e: &anyhow::Error) -> u8 {
    use flinks_client::FlinksError;
    match e.downcast_ref::<FlinksError>() {
        Some(FlinksError::Api { .. }) => exit::API,
        Some(FlinksError::Transport(_) | FlinksError::Timeout(_)) => exit::NETWORK,
        Some(FlinksError::Decode { .. } | FlinksError::Redirect { .. }) => exit::DECODE,
        Some(FlinksError::PollTimeout { .. }) => exit::POLL_TIMEOUT,
        Some(FlinksError::Cancelled) => exit::CANCELLED,
        None => exit::OTHER,
    }
}

#[tokio::main]
async fn main() -> std::process::ExitCode {
    let cli = match Cli::try_parse() {
        Ok(cli) => cli,
        Err(e) => {
            let _ = e.print();
            return std::process::ExitCode::from(if e.use_stderr() { exit::USAGE } else { 0 });
        }
    };
    match run(cli).await {
        Ok(()) => std::process::ExitCode::SUCCESS,
        Err(e) => {
            // FlinksError texts are already free of loginIds and keys.
            eprintln!("flinks: {e:#}");
            if let Some(flinks) = e.downcast_ref::<flinks_client::FlinksError>() {
                eprintln!("hint: {}", flinks.hint());
            }
            std::process::ExitCode::from(exit_code(&e))
        }
    }
}
