//! `flinks-sandbox`: the Flinks Capital sandbox alone, for curl and other clients.

use std::net::{IpAddr, Ipv4Addr, SocketAddr};
use std::time::Duration;

use clap::Parser;
use flinks_sandbox::personas::Applicants;
use flinks_sandbox::{FaultRule, Sandbox, SandboxConfig, DEFAULT_PORT, TOOLBOX_CUSTOMER_ID};

#[derive(Parser, Debug)]
#[command(
    version,
    about = "The Flinks Capital sandbox: a Flinks-compatible API on loopback"
)]
struct Args {
    /// Port to listen on (0 picks a free one).
    #[arg(long, default_value_t = DEFAULT_PORT, env = "FLINKS_SANDBOX_PORT")]
    port: u16,
    /// Address to bind. Loopback by default: the sandbox has no authentication to speak of.
    #[arg(long, default_value_t = IpAddr::V4(Ipv4Addr::LOCALHOST))]
    bind: IpAddr,
    /// Seconds GetAccountsDetail answers 202 OPERATION_PENDING after an Authorize.
    #[arg(long, default_value_t = 3.0)]
    pending_secs: f64,
    /// The last day of the generated data (YYYY-MM-DD); today by default.
    #[arg(long)]
    as_of: Option<chrono::NaiveDate>,
    /// Seed of the generated customers.
    #[arg(long, default_value_t = flinks_sandbox::personas::DEFAULT_SEED)]
    seed: u64,
    /// customerIds to answer to, besides the public toolbox one.
    #[arg(long = "customer-id")]
    customer_ids: Vec<String>,
    /// Refuse Authorize without a fresh token from GenerateAuthorizeToken.
    #[arg(long)]
    require_authorize_token: bool,
    /// The x-api-key data endpoints require (none by default).
    #[arg(long, env = "FLINKS_SANDBOX_API_KEY")]
    api_key: Option<String>,
    /// Inject a fault: loginId (or * for every customer), stage (authorize, accounts-detail,
    /// accounts-detail-async, attributes), kind (500, 502-html, timeout, reset, truncated,
    /// malformed, 429, expired-session, endless-pending), and how many times (always if left out).
    /// Repeatable; the first rule that matches a request fires.
    #[arg(long = "fault", value_name = "LOGIN|*:STAGE:KIND[:TIMES]")]
    faults: Vec<FaultRule>,
    /// How long a `timeout` fault holds the answer back, in milliseconds.
    #[arg(long, default_value_t = 60_000)]
    fault_delay_ms: u64,
    /// Also serve `big_<N>`: one chequing account with N transactions in its last 365 days,
    /// for loads that need a large reply (the desk's big_customer benchmark).
    #[arg(long, value_name = "N")]
    big_customer: Option<usize>,
}

#[tokio::main]
async fn main() -> anyhow::Result<()> {
    tracing_subscriber::fmt()
        .with_env_filter(
            tracing_subscriber::EnvFilter::try_from_default_env()
                .unwrap_or_else(|_| "flinks_sandbox=info".into()),
        )
        .init();
    let args = Args::parse();
    let mut config = SandboxConfig {
        seed: args.seed,
        pending_for: Duration::from_secs_f64(args.pending_secs.max(0.0)),
        require_authorize_token: args.require_authorize_token,
        api_key: args.api_key,
        faults: args.faults,
        fault_delay: Duration::from_millis(args.fault_delay_ms),
        applicants: Applicants {
            big: args.big_customer,
            ..Applicants::default()
        },
        ..SandboxConfig::default()
    };
    if let Some(day) = args.as_of {
        config.as_of = day;
    }
    config.customer_ids.extend(args.customer_ids);
    let sandbox = Sandbox::start(config, SocketAddr::new(args.bind, args.port))
        .await
        .map_err(|e| anyhow::anyhow!("cannot listen on {}:{}: {e}", args.bind, args.port))?;

    println!("Flinks Capital sandbox on {}", sandbox.base_url());
    println!("customerId   {TOOLBOX_CUSTOMER_ID}");
    println!("data as of   {}", sandbox.config().as_of);
    println!();
    println!("{:<22} {:<38} story", "username", "loginId");
    for p in sandbox.personas() {
        println!("{:<22} {:<38} {}", p.username, p.login_id, p.story);
    }
    println!();
    println!("Live sign-in (password Everyday): Greatday (security question), greatday_nomfa,");
    println!("test_disabled_account, test_service_unavailable, test_pending, test_dispatched,");
    println!("or any username above.");
    println!();
    // The same links as the sandbox's `/` page, so what is printed is what is served.
    println!("Try:");
    let base = sandbox.base_url();
    for link in sandbox.adverts() {
        match &link.example {
            None => println!("  {:<17} {base}{}", link.rel, link.href),
            Some(body) => println!(
                "  {:<17} curl -s -X {} {base}{} -H 'Content-Type: application/json' -d '{body}'",
                link.rel, link.method, link.href
            ),
        }
    }
    println!();
    for rule in sandbox.faults() {
        println!("fault        {rule}");
    }
    println!(
        "Faults: header X-Sandbox-Fault: <kind> on one request; rules at SandboxFaults (GET, PUT)."
    );
    println!("Ctrl-C stops it.");
    tokio::signal::ctrl_c().await?;
    sandbox.stop().await;
    Ok(())
}
