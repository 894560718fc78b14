//! `confab user ...`: operators manage accounts from the command line (there is no
//! e-mail to reset a password by). Each command works on the database directly, so it
//! may run beside a running server: a reset or a deletion takes effect at the
//! account's next sign-in or connect (their sockets already open stay until then).

use std::io::{BufRead, IsTerminal, Write};

use anyhow::{Context, bail};
use confab_shared::UserName;

use crate::accounts::{AccountError, password, session};
use crate::config::UserCommand;
use crate::store::Store;

/// Carries out `command` on `store`; what it has to say goes to standard output.
pub async fn run(store: &dyn Store, command: UserCommand) -> anyhow::Result<()> {
    let accounts = store.accounts();
    let mut out = std::io::stdout();
    match command {
        UserCommand::Create { username, admin } => {
            let username = UserName::new(username)?;
            let (password, made_up) = password_from_stdin()?;
            let hash = password::hash(password.clone())
                .await
                .map_err(anyhow::Error::msg)?;
            let account = match accounts.create_account(&username, &hash, admin).await {
                Ok(account) => account,
                Err(AccountError::Taken) => bail!("the username {username} is taken"),
                Err(AccountError::Store(error)) => return Err(error.into()),
            };
            let role = if admin { "site admin" } else { "account" };
            writeln!(
                out,
                "created {role} {} ({})",
                account.username,
                account.user_id()
            )?;
            if made_up {
                writeln!(out, "password: {password}")?;
            }
        }
        UserCommand::ResetPassword { username } => {
            let username = UserName::new(username)?;
            let found = accounts
                .credentials(&username)
                .await?
                .with_context(|| format!("no account is called {username}"))?;
            let (password, made_up) = password_from_stdin()?;
            let hash = password::hash(password.clone())
                .await
                .map_err(anyhow::Error::msg)?;
            let ended = accounts.set_password(found.account.id, &hash, None).await?;
            writeln!(
                out,
                "new password set for {}; {} session(s) ended",
                found.account.username,
                ended.len()
            )?;
            if made_up {
                writeln!(out, "password: {password}")?;
            }
        }
        UserCommand::Ban { username } => ban(accounts, &username, true, &mut out).await?,
        UserCommand::Unban { username } => ban(accounts, &username, false, &mut out).await?,
        UserCommand::Delete { username } => {
            let username = UserName::new(username)?;
            let ended = accounts
                .delete_account(&username)
                .await?
                .with_context(|| format!("no account is called {username}"))?;
            writeln!(
                out,
                "deleted {username}; {} session(s) and token(s) ended",
                ended.len()
            )?;
        }
    }
    Ok(())
}

/// Bans or unbans `username`. (Open sockets of a running server end at their next
/// connect; `POST /api/admin/bans` ends them at once.)
async fn ban(
    accounts: &dyn crate::accounts::Accounts,
    username: &str,
    banned: bool,
    out: &mut impl Write,
) -> anyhow::Result<()> {
    let username = UserName::new(username)?;
    let (account, ended) = accounts
        .set_banned(&username, banned)
        .await?
        .with_context(|| format!("no account is called {username}"))?;
    if banned {
        writeln!(
            out,
            "banned {}; {} credential(s) stopped",
            account.username,
            ended.len()
        )?;
    } else {
        writeln!(out, "lifted the ban on {}", account.username)?;
    }
    Ok(())
}

/// The password: one line of standard input, or, when that is a terminal (which
/// would echo it), one made up here (and shown once). Says which.
fn password_from_stdin() -> anyhow::Result<(String, bool)> {
    let stdin = std::io::stdin();
    if stdin.is_terminal() {
        // 24 characters of a 256-bit random token: about 144 bits.
        let made_up: String = session::new_token().chars().take(24).collect();
        return Ok((made_up, true));
    }
    let mut line = String::new();
    stdin
        .lock()
        .read_line(&mut line)
        .context("reading the password from standard input")?;
    let password = line.trim_end_matches(['\r', '\n']).to_owned();
    crate::api::check_password_length(&password).map_err(anyhow::Error::msg)?;
    Ok((password, false))
}
