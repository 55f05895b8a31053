//! `flinks`: the documented Flinks calls and the whole attributes flow from a terminal.
//!
//! Secrets are read from the environment (FLINKS_SECRET_KEY, FLINKS_X_API_KEY, FLINKS_LOGIN_ID)
//! so they stay out of shell history; the flags exist for scripts that pass them another way.
//! Output goes to stdout (JSON or CSV), progress to stderr.

use std::io::Write;
use std::time::Duration;

use anyhow::{bail, Result};
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
    #[arg(long, env = "FLINKS_X_API_KEY", hide_env_values = true)]
    x_api_key: Option<String>,
    /// Per-request timeout.
    #[arg(long, default_value_t = 30)]
    timeout_secs: u64,
    #[command(subcommand)]
    command: Command,
}

#[derive(Clone, Copy, ValueEnum)]
enum Format {
    Json,
    Csv,
}

#[derive(clap::Args)]
struct Polling {
    /// Seconds between GetAccountsDetailAsync calls (Flinks asks for 10).
    #[arg(long, default_value_t = 10.0)]
    poll_secs: f64,
    /// Give up after this many seconds (Flinks: 30 minutes).
    #[arg(long, default_value_t = 1800.0)]
    max_wait_secs: f64,
}

impl Polling {
    fn policy(&self) -> PollPolicy {
        PollPolicy {
            interval: Duration::from_secs_f64(self.poll_secs.max(0.0)),
            max_wait: Duration::from_secs_f64(self.max_wait_secs.max(0.0)),
        }
    }
}

#[derive(Subcommand)]
enum Command {
    /// GenerateAuthorizeToken: a single-use token for Authorize or Flinks Connect.
    Token {
        #[arg(long, env = "FLINKS_SECRET_KEY", hide_env_values = true)]
        secret_key: String,
    },
    /// Authorize in cached mode (MostRecentCached): prints the RequestId.
    Authorize {
        #[arg(long, env = "FLINKS_LOGIN_ID", hide_env_values = true)]
        login_id: String,
        /// An authorize token, for instances that require one.
        #[arg(long, env = "FLINKS_AUTHORIZE_TOKEN", hide_env_values = true)]
        token: Option<String>,
    },
    /// GetAccountsDetail, polling GetAccountsDetailAsync while pending: prints the accounts.
    Detail {
        #[arg(long, env = "FLINKS_LOGIN_ID", hide_env_values = true)]
        login_id: String,
        #[arg(long)]
        request_id: String,
        #[command(flatten)]
        polling: Polling,
    },
    /// One attributes package for a session whose data is ready.
    Attributes {
        #[arg(long, env = "FLINKS_LOGIN_ID", hide_env_values = true)]
        login_id: String,
        #[arg(long)]
        request_id: String,
        #[arg(long, value_parser = parse_package)]
        package: Package,
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
        /// Buy an authorize token with this secret key first (instances that require one).
        #[arg(long, env = "FLINKS_SECRET_KEY", hide_env_values = true)]
        secret_key: Option<String>,
        #[command(flatten)]
        polling: Polling,
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
    polling: &Polling,
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
            polling.policy(),
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
    env.x_api_key = cli.x_api_key.map(Secret::new);
    let client = FlinksClient::with_timeout(env, Duration::from_secs(cli.timeout_secs.max(1)))?;
    match cli.command {
        Command::Token { secret_key } => {
            let token = client
                .generate_authorize_token(&Secret::new(secret_key))
                .await?;
            // A token is printed on request only: this command exists to obtain one.
            println!("{}", token.expose());
        }
        Command::Authorize { login_id, token } => {
            let token = token.map(Secret::new);
            let request_id = open_session(&client, &LoginId::new(login_id), token.as_ref()).await?;
            println!("{request_id}");
        }
        Command::Detail {
            login_id,
            request_id,
            polling,
        } => {
            let detail = wait(
                &client,
                &LoginId::new(login_id),
                &RequestId(request_id),
                &polling,
            )
            .await?;
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
            login_id,
            request_id,
            package,
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
            secret_key,
            polling,
        } => {
            let login_id = LoginId::new(login_id);
            let token = match secret_key {
                Some(key) => Some(client.generate_authorize_token(&Secret::new(key)).await?),
                None => None,
            };
            let request_id = open_session(&client, &login_id, token.as_ref()).await?;
            eprintln!("session {request_id} opened");
            let detail = wait(&client, &login_id, &request_id, &polling).await?;
            eprintln!(
                "{} accounts ready; asking for {}",
                detail.accounts.len(),
                package.endpoint()
            );
            let attrs = client.attributes(package, &login_id, &request_id).await?;
            print_attributes(&attrs, &request_id, format)?;
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

#[tokio::main]
async fn main() -> std::process::ExitCode {
    match run(Cli::parse()).await {
        Ok(()) => std::process::ExitCode::SUCCESS,
        Err(e) => {
            // FlinksError texts are already free of loginIds and keys.
            eprintln!("flinks: {e:#}");
            if let Some(flinks) = e.downcast_ref::<flinks_client::FlinksError>() {
                eprintln!("hint: {}", flinks.hint());
            }
            std::process::ExitCode::FAILURE
        }
    }
}
