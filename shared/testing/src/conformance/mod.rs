//! Conformance suites: each documented sentence of a port's contract as a check that every
//! adapter of that port must pass. An adapter's test file names a factory for fresh
//! instances and expands one macro per port, which makes one `#[tokio::test]` per check:
//!
//! ```ignore
//! async fn fresh() -> Arc<MemoryStock> { Arc::new(MemoryStock::new()) }
//! luckydraw_testing::stock_store_conformance!(fresh);
//! ```

pub mod ledger;
pub mod orders;
pub mod pay_links;
pub mod queue;
pub mod sessions;
pub mod stock;
pub mod tickets;
pub mod users;

/// One `#[tokio::test]` per named check of `suite`, each given `factory().await`.
#[macro_export]
macro_rules! conformance_tests {
    ($suite:ident, $factory:expr, [$($check:ident),* $(,)?]) => {
        $(
            #[tokio::test(flavor = "multi_thread", worker_threads = 4)]
            async fn $check() {
                $crate::conformance::$suite::$check($factory().await).await;
            }
        )*
    };
}

/// The [`StockStore`](luckydraw_core::ports::StockStore) suite.
#[macro_export]
macro_rules! stock_store_conformance {
    ($factory:expr) => {
        $crate::conformance_tests!(
            stock,
            $factory,
            [
                remaining_is_none_until_loaded_and_load_replaces,
                a_draw_takes_a_unit_counts_it_and_records_it,
                a_recorded_draw_id_changes_nothing_and_returns_the_record,
                the_quota_is_checked_before_anything_else,
                sold_out_and_not_loaded_change_nothing,
                the_kept_policy_lands_on_sold_out_prizes_as_misses,
                the_consolation_slot_uses_its_unit_without_a_win,
                release_is_idempotent_per_draw_id,
                release_with_quota_gives_the_draw_back,
                picks_match_the_lottery_for_the_same_rolls,
                concurrent_draws_never_oversell_or_exceed_the_quota,
                a_voided_draw_of_any_outcome_is_undone_once,
                draws_stay_unsettled_until_settled,
                restore_rebuilds_stock_quotas_and_the_draw_log,
                the_unpaid_cap_refuses_and_changes_nothing,
                only_priced_wins_hold,
                paid_and_release_each_end_a_hold_once,
                restore_rebuilds_the_unpaid_holds,
                concurrent_draws_of_one_user_stop_at_the_unpaid_cap,
                concurrent_draws_stop_at_the_users_own_limit,
                a_users_own_limit_is_set_replaced_and_removed,
                a_users_own_limit_set_before_the_load_holds_after_it,
                restore_puts_the_users_own_limits_back,
                adjust_adds_and_removes_units_exactly,
                concurrent_draws_and_adjustments_conserve_units,
                flush_forgets_an_activity_and_restore_rebuilds_it,
            ]
        );
    };
}

/// The [`Ledger`](luckydraw_core::ports::Ledger) suite.
#[macro_export]
macro_rules! ledger_conformance {
    ($factory:expr) => {
        $crate::conformance_tests!(
            ledger,
            $factory,
            [the_first_write_of_a_draw_id_wins, concurrent_record_and_void_agree, entries_are_listed_per_activity]
        );
    };
}

/// The [`Users`](luckydraw_core::ports::Users) and [`Activities`](luckydraw_core::ports::Activities) suite.
#[macro_export]
macro_rules! users_conformance {
    ($factory:expr) => {
        $crate::conformance_tests!(
            users,
            $factory,
            [
                users_are_found_by_id_and_name_and_names_are_unique,
                activities_are_put_replaced_and_listed_by_id,
                tags_are_replaced_and_read_back_by_id_and_name,
                activities_are_inserted_once_and_deleted_with_their_limits,
                audit_entries_come_back_newest_first,
            ]
        );
    };
}

/// The [`Orders`](luckydraw_core::ports::Orders) suite.
#[macro_export]
macro_rules! orders_conformance {
    ($factory:expr) => {
        $crate::conformance_tests!(
            orders,
            $factory,
            [
                an_order_is_inserted_once,
                updates_apply_only_on_the_expected_status,
                a_users_orders_come_newest_first,
                overdue_lists_pending_orders_by_deadline,
                overdue_takes_the_earliest_deadlines_of_all,
                pages_list_every_matching_order_once,
            ]
        );
    };
}

/// The [`Sessions`](luckydraw_core::ports::Sessions) and [`RateLimits`](luckydraw_core::ports::RateLimits) suite.
#[macro_export]
macro_rules! sessions_conformance {
    ($factory:expr) => {
        $crate::conformance_tests!(
            sessions,
            $factory,
            [
                a_session_slides_until_it_expires,
                a_deleted_session_is_gone,
                counters_count_per_key_and_window,
                a_cleared_counter_starts_again,
                concurrent_hits_are_each_counted_once,
            ]
        );
    };
}

/// The [`Queue`](luckydraw_core::ports::Queue) suite.
#[macro_export]
macro_rules! queue_conformance {
    ($factory:expr) => {
        $crate::conformance_tests!(queue, $factory, [every_message_sent_arrives_once_as_sent]);
    };
}

/// The [`PayLinks`](luckydraw_core::ports::PayLinks) suite.
#[macro_export]
macro_rules! pay_links_conformance {
    ($factory:expr) => {
        $crate::conformance_tests!(
            pay_links,
            $factory,
            [
                a_link_is_cached_until_it_expires,
                the_first_live_link_stays_until_it_expires,
                concurrent_puts_agree_on_one_link,
            ]
        );
    };
}

/// The [`Tickets`](luckydraw_core::ports::Tickets) suite.
#[macro_export]
macro_rules! tickets_conformance {
    ($factory:expr) => {
        $crate::conformance_tests!(
            tickets,
            $factory,
            [
                numbers_go_in_arrival_order_and_a_waiting_user_keeps_their_ticket,
                tickets_end_only_at_the_head_once_each,
                a_closure_ends_every_waiting_ticket_and_the_line_goes_on,
                concurrent_takes_are_unique_without_gaps,
                positions_count_the_waiting_tickets_ahead,
            ]
        );
    };
}
