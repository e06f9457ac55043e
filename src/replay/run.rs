//! The two ways to replay: dial an SMSC and play the ESME side, or listen and play the SMSC side
//! to the ESMEs that connect.

use std::cell::RefCell;
use std::net::SocketAddr;
use std::time::Duration;

use futures_util::StreamExt;
use futures_util::stream::FuturesUnordered;
use tokio::net::{TcpListener, TcpStream};
use tokio::time::Instant;

use super::conn::{Conn, Recv};
use super::play::Player;
use super::report::{Outcome, Report, SessionReport};
use super::{Plan, ReplayOptions, Timing};
use crate::pcap::read::SmppDirection;
use crate::pdu::Header;

fn ignored(opts: &ReplayOptions) -> Vec<String> {
    opts.compare.ignored().map(str::to_owned).collect()
}

/// Plays the ESME side of each plan against the SMSC at `target` (`host:port`): one connection
/// per plan, one after the other ([`Timing::Fast`]) or each at its captured offset from the
/// first, concurrently ([`Timing::Original`]).
pub async fn run_target(plans: &[Plan], target: &str, opts: &ReplayOptions) -> Report {
    let start = Instant::now();
    let overall = start + opts.overall_timeout;
    let mut sessions = Vec::with_capacity(plans.len());
    match opts.timing {
        Timing::Fast => {
            for plan in plans {
                sessions.push(target_session(plan, target, opts, overall).await);
            }
        }
        Timing::Original => {
            let t0 = plans.iter().map(|p| p.first_ts).min().unwrap_or_default();
            let runs = plans.iter().map(|plan| async move {
                let at = start + plan.first_ts.saturating_sub(t0);
                tokio::time::sleep_until(at.min(overall)).await;
                target_session(plan, target, opts, overall).await
            });
            sessions = futures_util::future::join_all(runs).await;
        }
    }
    Report {
        mode: "target",
        address: target.to_owned(),
        ignored: ignored(opts),
        sessions,
    }
}

async fn target_session(
    plan: &Plan,
    target: &str,
    opts: &ReplayOptions,
    overall: Instant,
) -> SessionReport {
    let limit = (Instant::now() + opts.response_timeout).min(overall);
    tracing::info!(conn = plan.conn, target, "replaying the ESME side");
    let unreachable = |why: String| {
        let mut r = SessionReport::new(plan);
        r.outcome = Outcome::Unreachable(why);
        r
    };
    match tokio::time::timeout_at(limit, TcpStream::connect(target)).await {
        Ok(Ok(stream)) => {
            Player::new(
                plan,
                SmppDirection::EsmeToSmsc,
                Conn::new(stream),
                opts,
                overall,
            )
            .run()
            .await
        }
        Ok(Err(e)) => unreachable(format!("cannot connect to {target}: {e}")),
        Err(_) => unreachable(format!("connecting to {target} timed out")),
    }
}

/// A listening socket for [`run_listen`].
#[derive(Debug)]
pub struct Listener {
    inner: TcpListener,
}

impl Listener {
    /// Listens on `addr` (`127.0.0.1:0` for a free port).
    ///
    /// # Errors
    /// When the address cannot be bound.
    pub async fn bind(addr: &str) -> std::io::Result<Self> {
        Ok(Self {
            inner: TcpListener::bind(addr).await?,
        })
    }

    /// The address listened on.
    ///
    /// # Errors
    /// When the socket cannot tell.
    pub fn local_addr(&self) -> std::io::Result<SocketAddr> {
        self.inner.local_addr()
    }
}

/// Plays the SMSC side of the plans to the ESMEs that connect to `listener`. Each connection gets
/// the first plan not yet played whose ESME sent the same first PDU (a bind of the same type),
/// else the first plan not yet played; connections are played concurrently. Ends when every plan
/// has been played, or at the overall timeout (plans no ESME came for are `not played`).
pub async fn run_listen(plans: &[Plan], listener: Listener, opts: &ReplayOptions) -> Report {
    let address = listener
        .local_addr()
        .map_or_else(|_| "?".to_owned(), |a| a.to_string());
    let overall = Instant::now() + opts.overall_timeout;
    let taken = RefCell::new(vec![false; plans.len()]);
    let mut results: Vec<Option<SessionReport>> = vec![None; plans.len()];
    let mut running = FuturesUnordered::new();
    let mut accepting = !plans.is_empty();
    let grace = overall + Duration::from_secs(3);
    loop {
        if !accepting && running.is_empty() {
            break;
        }
        tokio::select! {
            done = running.next(), if !running.is_empty() => {
                if let Some(Some((i, report))) = done
                    && let Some(slot) = results.get_mut(i) {
                        *slot = Some(report);
                    }
                if taken.borrow().iter().all(|t| *t) {
                    accepting = false;
                }
            }
            accepted = listener.inner.accept(), if accepting => {
                match accepted {
                    Ok((stream, peer)) => {
                        tracing::info!(%peer, "ESME connected");
                        running.push(listen_session(plans, &taken, Conn::new(stream), opts, overall));
                    }
                    Err(e) => tracing::warn!(error = %e, "accept failed"),
                }
            }
            () = tokio::time::sleep_until(if accepting { overall } else { grace }) => {
                if !accepting {
                    break;
                }
                accepting = false;
            }
        }
    }
    let sessions = plans
        .iter()
        .zip(results)
        .map(|(plan, r)| {
            r.unwrap_or_else(|| {
                let mut r = SessionReport::new(plan);
                r.outcome = Outcome::NotPlayed("no ESME connected for it".into());
                r
            })
        })
        .collect();
    Report {
        mode: "listen",
        address,
        ignored: ignored(opts),
        sessions,
    }
}

/// Picks a plan for a connection by its first PDU, and plays it.
async fn listen_session(
    plans: &[Plan],
    taken: &RefCell<Vec<bool>>,
    mut conn: Conn,
    opts: &ReplayOptions,
    overall: Instant,
) -> Option<(usize, SessionReport)> {
    let limit = (Instant::now() + opts.response_timeout).min(overall);
    let first = match conn.recv(limit).await {
        Recv::Frame(f) => {
            let id = Header::parse(&f).map(|h| h.command_id);
            conn.unread(f);
            id
        }
        _ => None,
    };
    let index = {
        let mut taken = taken.borrow_mut();
        let first_of = |p: &Plan| {
            p.events
                .iter()
                .find(|e| e.direction == SmppDirection::EsmeToSmsc)
                .map(|e| e.header.command_id)
        };
        let free = |i: &usize| !taken[*i];
        let i = (0..plans.len())
            .filter(free)
            .find(|i| first.is_some() && first_of(&plans[*i]) == first)
            .or_else(|| (0..plans.len()).find(free))?;
        taken[i] = true;
        i
    };
    let plan = &plans[index];
    tracing::info!(conn = plan.conn, "replaying the SMSC side");
    let report = Player::new(plan, SmppDirection::SmscToEsme, conn, opts, overall)
        .run()
        .await;
    Some((index, report))
}
