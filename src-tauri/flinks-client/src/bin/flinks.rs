//! `flinks`: the documented Flinks calls and the whole attributes flow from a terminal.
//!
//! Secrets are read from the environment (FLINKS_SECRET_KEY, FLINKS_X_API_KEY, FLINKS_LOGIN_ID)
//! so they stay out of shell history; the flags exist for scripts that pass them another way.
//! Output goes to stdout (JSON or CSV), progress to stderr.

use std::io::Write;
use std::time::Duration;

use anyhow::{bail, Context, Result};
use clap::{Parser, Subcommand, ValueEnum};
use flinks_client::{
    AccountsDetailOptions, AttributeValue, Attributes, AuthorizeOutcome, Environment, FlinksClient,
    LoginId, Package, PollPolicy, RequestId, Secret,
};
use tokio_util::sync::CancellationToken;

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
    /// Authorize in cached mode (MostRecentCached): prints the RequestId.
    Authorize {
        #[arg(long, env = "FLINKS_LOGIN_ID", hide_env_values = true)]
        login_id: String,
        /// An authorize token, for instances that require one.
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
            w.write_record(["attribute", "value"])?;
            for (name, value) in &attrs.values {
                w.write_record([name.as_str(), value_text(value).as_str()])?;
            }
            w.flush()?;
        }
    }
    Ok(())
}

async fn open_session(
    client: &FlinksClient,
    login_id: &LoginId,
    token: Option<&Secret>,
) -> Result<RequestId> {
    match client.authorize_cached(login_id, token).await? {
        AuthorizeOutcome::Authorized(a) => Ok(a.request_id),
        AuthorizeOutcome::Challenge { .. } => {
            bail!("Flinks asks a security question for this login; connect it again through Flinks Connect")
        }
    }
}

async fn wait(
    client: &FlinksClient,
    login_id: &LoginId,
    request_id: &RequestId,
    policy: PollPolicy,
) -> Result<flinks_client::AccountsDetail> {
    let cancel = CancellationToken::new();
    let ctrl_c = cancel.clone();
    tokio::spawn(async move {
        if tokio::signal::ctrl_c().await.is_ok() {
            ctrl_c.cancel();
        }
    });
    Ok(client
        .wait_accounts_detail(
            login_id,
            request_id,
            &AccountsDetailOptions::default(),
            policy,
            &cancel,
            |p| {
                eprintln!(
                    "still processing (check {}, {:.1} s); next check in {:.1} s",
                    p.attempt,
                    p.elapsed.as_secs_f64(),
                    p.next_poll_in.as_secs_f64()
                )
            },
        )
        .await?)
}

async fn run(cli: Cli) -> Result<()> {
    let mut env = Environment::new(&cli.api_base_url, &cli.customer_id)?;
    env.x_api_key = cli.api_key.map(Secret::new);
    let client = FlinksClient::with_timeout(env, Duration::from_secs(cli.timeout_secs.max(1)))?;
    let policy = PollPolicy {
        interval: Duration::from_millis(cli.poll_interval_ms),
        max_wait: Duration::from_secs(cli.poll_timeout_s),
    };
    let secret_key = cli.secret_key.map(Secret::new);
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
        Command::Authorize { login_id, token } => {
            let token = token.map(Secret::new);
            let request_id = open_session(&client, &LoginId::new(login_id), token.as_ref()).await?;
            println!("{request_id}");
        }
        Command::Accounts {
            login_id,
            request_id,
        } => {
            let login_id = LoginId::new(login_id);
            let detail = wait(&client, &login_id, &RequestId(request_id), policy).await?;
            let accounts: Vec<serde_json::Value> = detail
                .accounts
                .iter()
                .map(|a| {
                    serde_json::json!({
                        "Id": a.id, "Title": a.title, "Type": a.account_type,
                        "Category": a.category, "Transactions": a.transactions.len(),
                        "Balance": a.balance.as_ref().and_then(|b| b.current).map(|d| d.to_string()),
                    })
                })
                .collect();
            serde_json::to_writer_pretty(std::io::stdout().lock(), &accounts)?;
            println!();
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
            // With a secret key, buy the authorize token newer instances ask for.
            let token = match &secret_key {
                Some(key) => Some(client.generate_authorize_token(key).await?),
                None => None,
            };
            let request_id = open_session(&client, &login_id, token.as_ref()).await?;
            eprintln!("session {request_id} opened");
            let detail = wait(&client, &login_id, &request_id, policy).await?;
            eprintln!(
                "{} accounts ready; asking for {}",
                detail.accounts.len(),
                package.endpoint()
            );
            let attrs = client.attributes(package, &login_id, &request_id).await?;
            print_attributes(&attrs, &request_id, format)?;
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
        Some(FlinksError::Decode { .. }) => exit::DECODE,
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
