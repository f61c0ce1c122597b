//! Redis topologies of real processes on loopback: a Redis Cluster of 3 primaries and 3
//! replicas (made by `redis-cli --cluster create`), and a primary + replica watched by 3
//! Sentinels. Timeouts are small (node timeout and down-after 1000 ms) so that a killed
//! primary is replaced within seconds.

use std::process::{Child, Command, Stdio};
use std::time::{Duration, Instant};

use super::{RedisServer, binary, free_port};

pub struct Cluster {
    pub nodes: Vec<RedisServer>,
}

fn cli() -> std::path::PathBuf {
    binary().expect("redis-server").with_file_name("redis-cli")
}

impl Cluster {
    /// Six nodes in cluster mode joined into 3 primaries with a replica each, all slots
    /// covered and every node agreeing the cluster is ok.
    pub fn start() -> Option<Cluster> {
        let args: Vec<String> =
            ["--cluster-enabled", "yes", "--cluster-config-file", "nodes.conf", "--cluster-node-timeout", "1000", "--cluster-replica-validity-factor", "0"].iter().map(|s| s.to_string()).collect();
        let mut nodes = Vec::new();
        for _ in 0..6 {
            nodes.push(RedisServer::start_args(&args)?);
        }
        let mut create = Command::new(cli());
        create.args(["--cluster", "create"]);
        for n in &nodes {
            create.arg(format!("127.0.0.1:{}", n.port));
        }
        let out = create.args(["--cluster-replicas", "1", "--cluster-yes"]).stdin(Stdio::null()).output().expect("redis-cli runs");
        assert!(out.status.success(), "redis-cli --cluster create: {}", String::from_utf8_lossy(&out.stdout));
        let cluster = Cluster { nodes };
        cluster.wait_ok(Duration::from_secs(15));
        // Replicas in sync, so that a killed primary has a replica to fail over to.
        let until = Instant::now() + Duration::from_secs(15);
        let synced = |n: &RedisServer| n.command(&["INFO", "replication"]).is_some_and(|i| i.contains("role:master") || i.contains("master_link_status:up"));
        while !cluster.nodes.iter().all(synced) {
            assert!(Instant::now() < until, "the replicas did not sync");
            std::thread::sleep(Duration::from_millis(100));
        }
        Some(cluster)
    }

    /// `redis+cluster://` with the first three nodes as seeds.
    pub fn url(&self) -> String {
        let seeds: Vec<String> = self.nodes.iter().take(3).map(|n| format!("127.0.0.1:{}", n.port)).collect();
        format!("redis+cluster://{}/", seeds.join(","))
    }

    /// Waits until every running node says `cluster_state:ok` and agrees on who serves
    /// every slot (after a create, a failover or a migration).
    pub fn wait_ok(&self, max: Duration) {
        let until = Instant::now() + max;
        while Instant::now() < until {
            let ok = self.running().all(|n| n.command(&["CLUSTER", "INFO"]).is_some_and(|i| i.contains("cluster_state:ok")));
            if ok {
                return;
            }
            std::thread::sleep(Duration::from_millis(100));
        }
        panic!("the cluster did not become ok within {max:?}");
    }

    fn running(&self) -> impl Iterator<Item = &RedisServer> {
        self.nodes.iter().filter(|n| n.command(&["PING"]).is_some())
    }

    /// The slot of `key`.
    pub fn slot(&self, key: &str) -> u16 {
        let answer = self.running().next().and_then(|n| n.command(&["CLUSTER", "KEYSLOT", key])).expect("a node answers");
        answer.parse().expect("slot")
    }

    /// The index in `nodes` of the running primary that serves `slot`.
    pub fn primary_of(&self, slot: u16) -> usize {
        self.owner(slot).unwrap_or_else(|| panic!("no running primary serves slot {slot}"))
    }

    /// Waits until a running primary serves `slot` (a replica promoted after a kill).
    pub fn wait_for_primary(&self, slot: u16, max: Duration) -> usize {
        let until = Instant::now() + max;
        loop {
            match self.owner(slot) {
                Some(i) => return i,
                None if Instant::now() < until => std::thread::sleep(Duration::from_millis(100)),
                None => panic!("no replica took over slot {slot} within {max:?}"),
            }
        }
    }

    fn owner(&self, slot: u16) -> Option<usize> {
        for (i, n) in self.nodes.iter().enumerate() {
            let Some(all) = n.command(&["CLUSTER", "NODES"]) else { continue };
            let Some(me) = all.lines().find(|l| l.contains("myself")) else { continue };
            let fields: Vec<&str> = me.split(' ').collect();
            if !fields[2].contains("master") {
                continue;
            }
            let serves = fields[8..].iter().any(|r| match r.split_once('-') {
                Some((a, b)) => a.parse::<u16>().is_ok_and(|a| a <= slot) && b.parse::<u16>().is_ok_and(|b| slot <= b),
                None => r.parse::<u16>() == Ok(slot),
            });
            if serves {
                return Some(i);
            }
        }
        None
    }

    /// The cluster node id of node `i`.
    pub fn id(&self, i: usize) -> String {
        self.nodes[i].command(&["CLUSTER", "MYID"]).expect("id")
    }

    /// Moves `slot` with its keys from primary `from` to primary `to` (the steps of
    /// `redis-cli --cluster reshard`: IMPORTING, MIGRATING, MIGRATE, SETSLOT NODE).
    pub fn migrate(&self, slot: u16, from: usize, to: usize) {
        self.begin_migration(slot, from, to, usize::MAX);
        self.finish_migration(slot, from, to);
    }

    /// The first half of a migration: the slot IMPORTING on `to` and MIGRATING on
    /// `from`, and at most `keys` of its keys moved (clients get ASK or TRYAGAIN).
    pub fn begin_migration(&self, slot: u16, from: usize, to: usize, keys: usize) {
        let s = slot.to_string();
        assert_eq!(self.nodes[to].command(&["CLUSTER", "SETSLOT", &s, "IMPORTING", &self.id(from)]).as_deref(), Some("OK"));
        assert_eq!(self.nodes[from].command(&["CLUSTER", "SETSLOT", &s, "MIGRATING", &self.id(to)]).as_deref(), Some("OK"));
        self.move_keys(slot, from, to, keys);
    }

    /// The rest of the keys moved, and the slot given to `to` on every node.
    pub fn finish_migration(&self, slot: u16, from: usize, to: usize) {
        self.move_keys(slot, from, to, usize::MAX);
        let (s, to_id) = (slot.to_string(), self.id(to));
        for n in self.running() {
            let _ = n.command(&["CLUSTER", "SETSLOT", &s, "NODE", &to_id]);
        }
        self.wait_ok(Duration::from_secs(10));
    }

    fn move_keys(&self, slot: u16, from: usize, to: usize, max: usize) {
        let listed = self.nodes[from].command(&["CLUSTER", "GETKEYSINSLOT", &slot.to_string(), "1000"]).unwrap_or_default();
        let port = self.nodes[to].port.to_string();
        let mut migrate = vec!["MIGRATE", "127.0.0.1", &port, "", "0", "5000", "KEYS"];
        migrate.extend(listed.lines().filter(|k| !k.is_empty()).take(max));
        if migrate.len() > 7 {
            assert_eq!(self.nodes[from].command(&migrate).as_deref(), Some("OK"), "MIGRATE");
        }
    }
}

/// A primary, its replica, and 3 Sentinels watching them as `mymaster` (quorum 2).
pub struct Sentinels {
    pub primary: RedisServer,
    pub replica: RedisServer,
    sentinels: Vec<(Child, u16, tempfile::TempDir)>,
    /// The Sentinels' own `requirepass`, and the data nodes' password.
    sentinel_password: Option<String>,
    data_password: Option<String>,
}

impl Sentinels {
    pub fn start() -> Option<Sentinels> {
        Self::start_with(None, None)
    }

    /// Sentinels that require `sentinel_password` (their `requirepass`), watching a
    /// primary and replica that require `data_password` (Sentinel's `auth-pass`).
    pub fn start_with(sentinel_password: Option<&str>, data_password: Option<&str>) -> Option<Sentinels> {
        let data = |mut args: Vec<String>| -> Option<RedisServer> {
            if let Some(p) = data_password {
                args.extend(["--masterauth".into(), p.into()]);
            }
            if !RedisServer::available() {
                return None;
            }
            let dir = tempfile::tempdir().expect("temp dir");
            let mut r = RedisServer { child: None, dir, port: free_port(), password: data_password.map(str::to_string), tls_port: None, ca_file: None, args };
            r.launch();
            Some(r)
        };
        let primary = data(Vec::new())?;
        let replica = data(vec!["--replicaof".into(), "127.0.0.1".into(), primary.port.to_string()])?;
        let mut auth = String::new();
        if let Some(p) = sentinel_password {
            auth.push_str(&format!("requirepass {p}\n"));
        }
        if let Some(p) = data_password {
            auth.push_str(&format!("sentinel auth-pass mymaster {p}\n"));
        }
        let mut sentinels = Vec::new();
        for _ in 0..3 {
            let dir = tempfile::tempdir().expect("temp dir");
            let port = free_port();
            let conf = dir.path().join("sentinel.conf");
            let text = format!(
                "port {port}\nbind 127.0.0.1\nprotected-mode no\ndir {}\nsentinel monitor mymaster 127.0.0.1 {} 2\n\
                 sentinel down-after-milliseconds mymaster 1000\nsentinel failover-timeout mymaster 3000\n{auth}",
                dir.path().display(),
                primary.port
            );
            std::fs::write(&conf, text).expect("sentinel.conf");
            let child = Command::new(binary().expect("redis-server")).arg(&conf).arg("--sentinel").stdout(Stdio::null()).stderr(Stdio::null()).spawn().expect("sentinel");
            sentinels.push((child, port, dir));
        }
        let (sentinel_password, data_password) = (sentinel_password.map(str::to_string), data_password.map(str::to_string));
        let s = Sentinels { primary, replica, sentinels, sentinel_password, data_password };
        s.wait_for_replica();
        Some(s)
    }

    fn wait_for_replica(&self) {
        let until = Instant::now() + Duration::from_secs(10);
        while Instant::now() < until {
            let linked = self.replica.command(&["INFO", "replication"]).is_some_and(|i| i.contains("master_link_status:up"));
            let known = self.sentinels.iter().all(|(_, port, _)| sentinel_says(*port, self.sentinel_password.as_deref()).is_some_and(|p| p.contains(&self.primary.port.to_string())));
            if linked && known {
                return;
            }
            std::thread::sleep(Duration::from_millis(100));
        }
        panic!("the replica or the Sentinels did not come up");
    }

    /// `redis+sentinel://` with the data password (if any), and no Sentinel password.
    pub fn url(&self) -> String {
        let all: Vec<String> = self.sentinels.iter().map(|(_, p, _)| format!("127.0.0.1:{p}")).collect();
        let auth = self.data_password.as_ref().map(|p| format!(":{p}@")).unwrap_or_default();
        format!("redis+sentinel://{auth}{}/mymaster", all.join(","))
    }

    /// The first Sentinel's address (`127.0.0.1:port`).
    pub fn first(&self) -> String {
        format!("127.0.0.1:{}", self.sentinels[0].1)
    }

    /// What the first Sentinel names as the primary (`host\nport`).
    pub fn named_primary(&self) -> Option<String> {
        sentinel_says(self.sentinels[0].1, self.sentinel_password.as_deref())
    }
}

fn sentinel_says(port: u16, password: Option<&str>) -> Option<String> {
    let password = password.map(str::to_string);
    let probe = RedisServer { child: None, dir: tempfile::tempdir().ok()?, port, password, tls_port: None, ca_file: None, args: Vec::new() };
    probe.command(&["SENTINEL", "get-master-addr-by-name", "mymaster"])
}

impl Drop for Sentinels {
    fn drop(&mut self) {
        for (child, _, _) in &mut self.sentinels {
            let _ = child.kill();
            let _ = child.wait();
        }
    }
}
