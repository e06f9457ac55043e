//! The server's books: open sessions, the receivers bound per system_id (round-robin), and the
//! bounded store of messages waiting for a receiver.

use std::collections::{HashMap, VecDeque};
use std::net::SocketAddr;
use std::sync::Arc;
use std::time::SystemTime;

use tokio::sync::{mpsc, oneshot};

use crate::pdu::{Command, DeliverSm, Pdu};
use crate::session::BindType;

use super::{ServerError, SessionId};

/// What the server knows of one session.
#[derive(Debug, Clone, PartialEq, Eq)]
#[non_exhaustive]
pub struct SessionInfo {
    /// The session.
    pub id: SessionId,
    /// The ESME's address, when it came over TCP.
    pub peer_addr: Option<SocketAddr>,
    /// Its system_id, once bound.
    pub system_id: Option<String>,
    /// How it is bound, once bound.
    pub bind_type: Option<BindType>,
    /// When the connection was accepted.
    pub connected_at: SystemTime,
}

impl SessionInfo {
    /// Whether the session is bound.
    pub fn is_bound(&self) -> bool {
        self.bind_type.is_some()
    }
}

/// A request for a session to send to its ESME.
#[derive(Debug)]
pub(crate) struct Outbound {
    /// Boxed: the channel's slots are allocated in blocks of 32 up front.
    pub(crate) pdu: Box<Pdu>,
    pub(crate) reply: oneshot::Sender<Result<Command, ServerError>>,
}

/// Orders for a session's task.
#[derive(Debug)]
pub(crate) enum ConnControl {
    /// Messages wait in the store for this session's system_id.
    Drain,
    /// Unbind now.
    Unbind,
    /// Finish in-flight work, then unbind.
    Shutdown,
    /// Close now.
    Abort,
}

#[derive(Debug)]
pub(crate) struct Entry {
    pub(crate) info: SessionInfo,
    pub(crate) outbound: mpsc::Sender<Outbound>,
    pub(crate) control: mpsc::UnboundedSender<ConnControl>,
}

#[derive(Debug, Default)]
struct Route {
    sessions: Vec<SessionId>,
    next: usize,
}

#[derive(Debug, Default)]
pub(crate) struct Registry {
    pub(crate) sessions: HashMap<SessionId, Entry>,
    routes: HashMap<Arc<str>, Route>,
    store: HashMap<Arc<str>, VecDeque<DeliverSm>>,
    stored: usize,
    /// Connections over max_connections being turned away.
    pub(crate) refusing: usize,
}

fn receives(bind_type: BindType) -> bool {
    matches!(bind_type, BindType::Receiver | BindType::Transceiver)
}

impl Registry {
    /// The next receiver of `system_id`, round-robin.
    pub(crate) fn pick(&mut self, system_id: &str) -> Option<(SessionId, mpsc::Sender<Outbound>)> {
        let route = self.routes.get_mut(system_id)?;
        let n = route.sessions.len();
        for _ in 0..n {
            let id = route.sessions[route.next % n];
            route.next = (route.next + 1) % n;
            if let Some(e) = self.sessions.get(&id) {
                return Some((id, e.outbound.clone()));
            }
        }
        None
    }

    /// A session bound: list it as a receiver when it is one, and tell it about stored messages.
    pub(crate) fn bound(&mut self, id: SessionId, system_id: &Arc<str>, bind_type: BindType) {
        let Some(e) = self.sessions.get_mut(&id) else {
            return;
        };
        e.info.system_id = Some(system_id.to_string());
        e.info.bind_type = Some(bind_type);
        if receives(bind_type) {
            self.routes
                .entry(system_id.clone())
                .or_default()
                .sessions
                .push(id);
            if self.store.get(system_id).is_some_and(|q| !q.is_empty()) {
                let _ = e.control.send(ConnControl::Drain);
            }
        }
    }

    /// A session ended.
    pub(crate) fn remove(&mut self, id: SessionId) -> Option<Entry> {
        let entry = self.sessions.remove(&id)?;
        if let Some(system_id) = &entry.info.system_id
            && let Some(route) = self.routes.get_mut(system_id.as_str())
        {
            route.sessions.retain(|s| *s != id);
            if route.sessions.is_empty() {
                self.routes.remove(system_id.as_str());
            }
        }
        Some(entry)
    }

    /// Stores a message for `system_id` (at most `capacity` in all) and tells one of its
    /// receivers, if any is bound.
    pub(crate) fn store(
        &mut self,
        system_id: &str,
        pdu: DeliverSm,
        capacity: usize,
    ) -> Result<(), ServerError> {
        if self.stored >= capacity {
            return Err(ServerError::QueueFull);
        }
        self.push(system_id, pdu, false);
        Ok(())
    }

    /// Puts back a stored message whose delivery failed (first in line; may exceed the capacity
    /// briefly rather than lose it).
    pub(crate) fn restore(&mut self, system_id: &str, pdu: DeliverSm) {
        self.push(system_id, pdu, true);
    }

    fn push(&mut self, system_id: &str, pdu: DeliverSm, front: bool) {
        let key: Arc<str> = match self.store.get_key_value(system_id) {
            Some((k, _)) => k.clone(),
            None => Arc::from(system_id),
        };
        let queue = self.store.entry(key).or_default();
        if front {
            queue.push_front(pdu);
        } else {
            queue.push_back(pdu);
        }
        self.stored += 1;
        if let Some(route) = self.routes.get(system_id) {
            for id in &route.sessions {
                if let Some(e) = self.sessions.get(id) {
                    let _ = e.control.send(ConnControl::Drain);
                }
            }
        }
    }

    /// The next stored message for `system_id`.
    pub(crate) fn pop_stored(&mut self, system_id: &str) -> Option<DeliverSm> {
        let queue = self.store.get_mut(system_id)?;
        let pdu = queue.pop_front()?;
        if queue.is_empty() {
            self.store.remove(system_id);
        }
        self.stored -= 1;
        Some(pdu)
    }

    /// Messages stored for `system_id` (all when `None`).
    pub(crate) fn stored(&self, system_id: Option<&str>) -> usize {
        match system_id {
            Some(s) => self.store.get(s).map_or(0, VecDeque::len),
            None => self.stored,
        }
    }
}
