#include "MysqlLease.h"

#include "MysqlConnection.h"

#include <watchdog/HumanFormat.h>

#include <Poco/Logger.h>

namespace watchdog {
using namespace mysql;

namespace {

Poco::Logger& logger() { return Poco::Logger::get("watchdog.ha"); }

constexpr unsigned kDuplicateKey = 1062;
constexpr unsigned kDeadlock = 1213;

const char* kCreateLease =
    "CREATE TABLE IF NOT EXISTS watchdog_ha_lease ("
    " name VARCHAR(191) NOT NULL PRIMARY KEY,"
    " holder VARCHAR(191) NOT NULL,"
    " token BIGINT UNSIGNED NOT NULL,"
    " expires DATETIME(6) NOT NULL,"
    " renewed DATETIME(6) NOT NULL"
    ") ENGINE=InnoDB DEFAULT CHARSET=utf8mb4";
const char* kCreateActions =
    "CREATE TABLE IF NOT EXISTS watchdog_ha_actions ("
    " lease VARCHAR(191) NOT NULL,"
    " incident VARCHAR(191) NOT NULL,"
    " action VARCHAR(191) NOT NULL,"
    " node VARCHAR(191) NOT NULL,"
    " token BIGINT UNSIGNED NOT NULL,"
    " at DATETIME(6) NOT NULL,"
    " reported DATETIME(6) NULL,"
    " retried TINYINT NOT NULL DEFAULT 0,"
    " PRIMARY KEY (lease, incident, action)"
    ") ENGINE=InnoDB DEFAULT CHARSET=utf8mb4";
const char* kCreateIncidents =
    "CREATE TABLE IF NOT EXISTS watchdog_ha_incidents ("
    " lease VARCHAR(191) NOT NULL,"
    " rule_id VARCHAR(191) NOT NULL,"
    " incident VARCHAR(191) NOT NULL,"
    " opened_ms BIGINT NOT NULL,"
    " deadline_ms BIGINT NOT NULL,"
    " closed DATETIME(6) NULL,"
    " PRIMARY KEY (lease, rule_id, incident)"
    ") ENGINE=InnoDB DEFAULT CHARSET=utf8mb4";

std::string text(const MysqlRow& row, std::size_t i) { return i < row.size() && row[i] ? *row[i] : std::string(); }

// Rolls back unless committed, so an exception never leaves a transaction open on a kept connection.
class Transaction {
public:
    explicit Transaction(MysqlConnection& db) : db_(db) { db_.execute("START TRANSACTION"); }
    ~Transaction() {
        if (open_) try {
                db_.execute("ROLLBACK");
            } catch (const std::exception&) {
                // the connection is gone; the server rolls back
            }
    }
    void commit() {
        db_.execute("COMMIT");
        open_ = false;
    }

private:
    MysqlConnection& db_;
    bool open_ = true;
};

}  // namespace

MysqlLease::MysqlLease(HaSettings settings, std::string lease) : settings_(std::move(settings)), lease_(std::move(lease)) {}

MysqlLease::~MysqlLease() { abandon(); }

void MysqlLease::createTables(MysqlConnection& db) {
    db.execute(kCreateLease);
    db.execute(kCreateActions);
    db.execute(kCreateIncidents);
}

void MysqlLease::start() {
    logger().information("HA: node " + settings_.node + (settings_.primary ? " (primary)" : "") + ", lease '" + lease_ + "' in " +
                         settings_.database.where() + ", ttl " + human::duration(settings_.ttl) +
                         ", when the database is down: " + (settings_.actWhenDbDown ? "act" : "wait"));
    renewOnce();
    std::lock_guard<std::mutex> lock(mutex_);
    stopping_ = false;
    thread_ = std::thread([this] { loop(); });
}

void MysqlLease::abandon() {
    {
        std::lock_guard<std::mutex> lock(mutex_);
        stopping_ = true;
    }
    wake_.notify_all();
    if (thread_.joinable()) thread_.join();
}

void MysqlLease::stop(bool release) {
    abandon();
    if (!release) return;
    std::uint64_t held;
    {
        std::lock_guard<std::mutex> lock(mutex_);
        held = heldToken_;
        heldToken_ = 0;
    }
    std::lock_guard<std::mutex> guard(renewMutex_);
    if (held == 0 || !leaseDb_) return;
    try {
        MysqlConnection& db = *leaseDb_;
        db.execute("UPDATE watchdog_ha_lease SET expires = NOW(6) WHERE name = " + db.literal(lease_) +
                   " AND holder = " + db.literal(settings_.node) + " AND token = " + std::to_string(held));
        logger().information("HA: gave the lease up (token " + std::to_string(held) + ")");
    } catch (const std::exception& e) {
        logger().warning(std::string("HA: could not give the lease up; it expires after the ttl: ") + e.what());
    }
}

void MysqlLease::loop() {
    std::unique_lock<std::mutex> lock(mutex_);
    while (!stopping_) {
        wake_.wait_for(lock, settings_.renewEvery(), [this] { return stopping_; });
        if (stopping_) break;
        lock.unlock();
        renewOnce();
        lock.lock();
    }
}

// What one lease round found: the lease's holder and token, the token this node holds after it (0:
// none), and how long ago the holder renewed.
struct MysqlLease::Observed {
    std::string holder;
    std::uint64_t token = 0;
    std::uint64_t held = 0;
    long long ageUs = 0;
};

void MysqlLease::renewOnce() {
    std::lock_guard<std::mutex> guard(renewMutex_);
    const Steady::time_point began = Steady::now();
    std::uint64_t mine;
    bool wasLeading;
    std::string before;
    {
        std::lock_guard<std::mutex> lock(mutex_);
        mine = heldToken_;
        wasLeading = leaseValidLocally();
        before = leader_;
    }
    Observed seen;
    try {
        seen = takeOrRenew(mine);
    } catch (const std::exception& e) {
        leaseDb_.reset();
        noteDatabaseDown(e.what());
        return;
    }
    const bool wasDown = recordRound(seen, began);
    logRound(seen, wasDown, mine, wasLeading, before);
}

MysqlLease::Observed MysqlLease::takeOrRenew(std::uint64_t mine) {
    if (!leaseDb_) {
        leaseDb_ = std::make_unique<MysqlConnection>(settings_.database);
        createTables(*leaseDb_);
    }
    MysqlConnection& db = *leaseDb_;
    const std::string name = db.literal(lease_), me = db.literal(settings_.node);
    const std::string expiry = "NOW(6) + INTERVAL " + std::to_string(settings_.ttl.count() * 1000) + " MICROSECOND";
    Observed seen;
    Transaction tx(db);
    const auto rows = db.select(
        "SELECT holder, token, expires > NOW(6), TIMESTAMPDIFF(MICROSECOND, renewed, NOW(6)) "
        "FROM watchdog_ha_lease WHERE name = " +
        name + " FOR UPDATE");
    if (rows.empty()) {
        db.execute("INSERT INTO watchdog_ha_lease (name, holder, token, expires, renewed) VALUES (" + name + ", " + me + ", 1, " + expiry +
                   ", NOW(6))");
        seen.holder = settings_.node;
        seen.token = seen.held = 1;
    } else {
        seen.holder = text(rows[0], 0);
        seen.token = std::stoull(text(rows[0], 1));
        const bool live = text(rows[0], 2) == "1";
        seen.ageUs = std::stoll(text(rows[0], 3));
        if (seen.holder == settings_.node && seen.token == mine && live) {
            db.execute("UPDATE watchdog_ha_lease SET expires = " + expiry + ", renewed = NOW(6) WHERE name = " + name);
            seen.held = seen.token;
            seen.ageUs = 0;
        } else if (!live || seen.holder == settings_.node) {
            // Expired, or this node's own row from before a restart: taken with the next token.
            db.execute("UPDATE watchdog_ha_lease SET holder = " + me + ", token = token + 1, expires = " + expiry +
                       ", renewed = NOW(6) WHERE name = " + name);
            seen.holder = settings_.node;
            seen.held = ++seen.token;
            seen.ageUs = 0;
        }
    }
    tx.commit();
    return seen;
}

bool MysqlLease::recordRound(const Observed& seen, Steady::time_point began) {
    std::lock_guard<std::mutex> lock(mutex_);
    const bool wasDown = !databaseUp_ && downLogged_;
    leader_ = seen.holder;
    token_ = seen.token;
    heldToken_ = seen.held;
    validUntil_ = seen.held != 0 ? began + settings_.ttl : Steady::time_point{};
    age_ = std::chrono::milliseconds(seen.ageUs / 1000);
    ageRead_ = Steady::now();
    databaseUp_ = true;
    downLogged_ = false;
    error_.clear();
    return wasDown;
}

void MysqlLease::logRound(const Observed& seen, bool wasDown, std::uint64_t mine, bool wasLeading, const std::string& before) const {
    const std::string token = std::to_string(seen.token);
    if (wasDown) logger().warning("HA: the database is reachable again; lease held by " + seen.holder + " (token " + token + ")");
    if (seen.held != 0 && (seen.held != mine || !wasLeading))
        logger().warning("HA: node " + settings_.node + " holds the lease now (token " + std::to_string(seen.held) +
                         "): it notifies and runs remedies");
    else if (seen.held == 0 && (wasLeading || mine != 0))
        logger().warning("HA: node " + settings_.node + " lost the lease to " + seen.holder + " (token " + token +
                         "): it stops notifying and running remedies");
    else if (seen.held == 0 && seen.holder != before)
        logger().information("HA: the lease is held by " + seen.holder + " (token " + token + "); node " + settings_.node +
                             " checks and records only");
}

void MysqlLease::noteDatabaseDown(const std::string& error) {
    bool first;
    {
        std::lock_guard<std::mutex> lock(mutex_);
        first = !downLogged_;
        databaseUp_ = false;
        downLogged_ = true;
        error_ = error;
    }
    if (first)
        logger().error("HA: THE LEASE DATABASE CANNOT BE REACHED (" + error + "); when_db_down: " +
                       (settings_.actWhenDbDown
                            ? "act: node " + settings_.node + " notifies and runs remedies on its own until it is back"
                            : "wait: node " + settings_.node + " does not notify or run remedies once its lease runs out"));
}

bool MysqlLease::leaseValidLocally() const { return heldToken_ != 0 && Steady::now() < validUntil_; }

bool MysqlLease::mayAct() const {
    std::lock_guard<std::mutex> lock(mutex_);
    if (leaseValidLocally()) return true;
    return !databaseUp_ && settings_.actWhenDbDown;
}

MysqlConnection& MysqlLease::ops() {
    if (!opsDb_) opsDb_ = std::make_unique<MysqlConnection>(settings_.database);
    return *opsDb_;
}

RemedyClaim MysqlLease::claim(const std::string& incident, const std::string& action) {
    std::uint64_t held;
    {
        std::lock_guard<std::mutex> lock(mutex_);
        held = leaseValidLocally() ? heldToken_ : 0;
    }
    std::lock_guard<std::mutex> guard(opsMutex_);
    try {
        MysqlConnection& db = ops();
        const std::string name = db.literal(lease_);
        Transaction tx(db);
        // The lease row first, locked: a node taking the lease over waits for this transaction.
        const auto lease = db.select("SELECT holder, token, expires > NOW(6) FROM watchdog_ha_lease WHERE name = " + name + " FOR UPDATE");
        const std::string key =
            " WHERE lease = " + name + " AND incident = " + db.literal(incident) + " AND action = " + db.literal(action);
        const auto done = db.select("SELECT node, token, reported IS NOT NULL, retried FROM watchdog_ha_actions" + key);
        const bool current = held != 0 && !lease.empty() && text(lease[0], 0) == settings_.node &&
                             text(lease[0], 1) == std::to_string(held) && text(lease[0], 2) == "1";
        if (!done.empty()) {
            // Claimed under an older lease and never reported: its node died or froze while running it.
            // Run again once (remedies describe before they act: aws_start starts only a stopped instance).
            const bool orphaned = current && text(done[0], 2) == "0" && text(done[0], 3) == "0" && std::stoull(text(done[0], 1)) < held;
            if (!orphaned) return {RemedyClaimResult::AlreadyDone, "run by node " + text(done[0], 0) + " (token " + text(done[0], 1) + ")"};
            db.execute("UPDATE watchdog_ha_actions SET node = " + db.literal(settings_.node) + ", token = " + std::to_string(held) +
                       ", at = NOW(6), retried = 1" + key);
            tx.commit();
            logger().warning("HA: " + action + " for incident " + incident + " was claimed by node " + text(done[0], 0) + " (token " +
                             text(done[0], 1) + ") that lost the lease before it reported; node " + settings_.node +
                             " runs it again, once");
            return {RemedyClaimResult::Run, "taken over from node " + text(done[0], 0)};
        }
        if (!current) {
            if (held != 0) {
                std::lock_guard<std::mutex> lock(mutex_);
                if (heldToken_ == held) heldToken_ = 0;  // fenced off: another node holds a newer token
                logger().warning("HA: node " + settings_.node + " no longer holds the lease (token " + std::to_string(held) +
                                 " is not current): " + action + " is not run by it");
            }
            return {RemedyClaimResult::NotLeader, "node " + settings_.node + " does not hold the lease"};
        }
        db.execute("INSERT INTO watchdog_ha_actions (lease, incident, action, node, token, at) VALUES (" + name + ", " +
                   db.literal(incident) + ", " + db.literal(action) + ", " + db.literal(settings_.node) + ", " + std::to_string(held) +
                   ", NOW(6))");
        tx.commit();
        return {RemedyClaimResult::Run, "recorded with token " + std::to_string(held)};
    } catch (const MysqlError& e) {
        if (e.code() == kDuplicateKey) return {RemedyClaimResult::AlreadyDone, "run by another node"};
        opsDb_.reset();
        return {RemedyClaimResult::Unavailable, e.what()};
    } catch (const std::exception& e) {
        opsDb_.reset();
        return {RemedyClaimResult::Unavailable, e.what()};
    }
}

void MysqlLease::reported(const std::string& incident, const std::string& action) {
    std::lock_guard<std::mutex> guard(opsMutex_);
    try {
        MysqlConnection& db = ops();
        db.execute("UPDATE watchdog_ha_actions SET reported = NOW(6) WHERE lease = " + db.literal(lease_) + " AND incident = " +
                   db.literal(incident) + " AND action = " + db.literal(action) + " AND node = " + db.literal(settings_.node));
    } catch (const std::exception& e) {
        opsDb_.reset();
        logger().warning("HA: cannot record that " + action + " reported for incident " + incident + ": " + e.what());
    }
}

std::optional<SharedIncident> MysqlLease::joinIncident(const std::string& rule, const SharedIncident& local) {
    {
        std::lock_guard<std::mutex> lock(mutex_);
        if (!databaseUp_) return std::nullopt;  // never wait for a database the lease thread found down
    }
    std::lock_guard<std::mutex> guard(opsMutex_);
    for (int attempt = 0; attempt < 2; ++attempt) {
        try {
            MysqlConnection& db = ops();
            const std::string where = " WHERE lease = " + db.literal(lease_) + " AND rule_id = " + db.literal(rule);
            Transaction tx(db);
            const auto rows = db.select("SELECT incident, opened_ms, deadline_ms FROM watchdog_ha_incidents" + where +
                                        " AND closed IS NULL ORDER BY opened_ms LIMIT 1 FOR UPDATE");
            // An incident opened more than one wait (and a ttl) before this one is not the same outage:
            // left open by nodes that all stopped. It is closed, and this one is shared instead.
            const long long wait = toEpochMs(local.deadline) - toEpochMs(local.opened);
            const long long oldest = toEpochMs(local.opened) - wait - settings_.ttl.count();
            if (!rows.empty() && std::stoll(text(rows[0], 1)) >= oldest) {
                tx.commit();
                return SharedIncident{text(rows[0], 0), fromEpochMs(std::stoll(text(rows[0], 1))),
                                      fromEpochMs(std::stoll(text(rows[0], 2)))};
            }
            if (!rows.empty()) db.execute("UPDATE watchdog_ha_incidents SET closed = NOW(6)" + where + " AND closed IS NULL");
            db.execute("INSERT INTO watchdog_ha_incidents (lease, rule_id, incident, opened_ms, deadline_ms) VALUES (" +
                       db.literal(lease_) + ", " + db.literal(rule) + ", " + db.literal(local.incident) + ", " +
                       std::to_string(toEpochMs(local.opened)) + ", " + std::to_string(toEpochMs(local.deadline)) + ")");
            tx.commit();
            return local;
        } catch (const MysqlError& e) {
            opsDb_.reset();
            if (e.code() != kDeadlock && e.code() != kDuplicateKey) {
                logger().warning(std::string("HA: cannot share incident ") + local.incident + " of rule " + rule + ": " + e.what());
                return std::nullopt;
            }
        } catch (const std::exception& e) {
            opsDb_.reset();
            logger().warning(std::string("HA: cannot share incident ") + local.incident + " of rule " + rule + ": " + e.what());
            return std::nullopt;
        }
    }
    return std::nullopt;
}

void MysqlLease::closeIncident(const std::string& rule, const std::string& incident) {
    std::lock_guard<std::mutex> guard(opsMutex_);
    try {
        MysqlConnection& db = ops();
        db.execute("UPDATE watchdog_ha_incidents SET closed = NOW(6) WHERE lease = " + db.literal(lease_) +
                   " AND rule_id = " + db.literal(rule) + " AND closed IS NULL");
    } catch (const std::exception& e) {
        opsDb_.reset();
        logger().warning("HA: cannot mark incident " + incident + " of rule " + rule + " closed: " + e.what());
    }
}

HaStatus MysqlLease::status() const {
    std::lock_guard<std::mutex> lock(mutex_);
    HaStatus s;
    s.node = settings_.node;
    s.leader = leader_;
    s.leading = leaseValidLocally();
    s.mayAct = s.leading || (!databaseUp_ && settings_.actWhenDbDown);
    s.token = token_;
    if (age_) s.leaseAge = *age_ + std::chrono::duration_cast<std::chrono::milliseconds>(Steady::now() - ageRead_);
    s.ttl = settings_.ttl;
    s.databaseUp = databaseUp_;
    s.whenDbDown = settings_.actWhenDbDown ? "act" : "wait";
    s.error = error_;
    return s;
}

}  // namespace watchdog
