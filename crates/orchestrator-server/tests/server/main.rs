//! Tests of the reference server: the router with `oneshot`, and the real
//! server on a loopback socket driven by the SDK and by its own binary.
//!
//! One suite, two backends: every test that does not depend on SQLite's
//! files runs against SQLite and, when `ORCHESTRATOR_TEST_DATABASE_URL`
//! names a PostgreSQL server (and the `postgres` feature is on), against
//! PostgreSQL too, each in a database of its own. Without that URL the
//! PostgreSQL runs are reported as ignored, with a line saying so — never
//! passed. `scripts/postgres.sh start` starts a private cluster for them.
//! The storage contract and the end-to-end flows also run on the in-memory
//! store (`memory::*`).

use std::future::Future;
use std::pin::Pin;

use libtest_mimic::{Arguments, Trial};

mod support;

mod console_api;
mod console_store;
mod contract_clients;
mod documents;
mod end_to_end;
mod event_log;
mod event_stream;
mod http2;
mod listen;
mod listing;
mod metrics;
mod openapi;
mod restart;
mod retention;
mod router;
#[cfg(feature = "postgres")]
mod scale_out;
mod shared_stream;
mod ssrf;
mod startup;
mod store;
mod tenants;
mod tls;
mod webhooks;

/// This package's server binary, which cargo builds for its tests.
pub(crate) fn server_bin() -> &'static std::path::Path {
    std::path::Path::new(env!("CARGO_BIN_EXE_orchestrator-server"))
}

/// A test of the suite.
pub(crate) struct Test {
    pub(crate) name: &'static str,
    pub(crate) run: fn() -> Pin<Box<dyn Future<Output = ()> + Send>>,
    pub(crate) backends: Backends,
}

/// Where a test runs.
#[derive(Clone, Copy, PartialEq, Eq)]
pub(crate) enum Backends {
    /// SQLite, and PostgreSQL when one is available.
    Both,
    /// SQLite only: the test reads SQLite's files or restarts a binary on one.
    SqliteOnly,
    /// PostgreSQL only: several instances sharing one database.
    #[cfg_attr(not(feature = "postgres"), allow(dead_code))]
    PostgresOnly,
}

macro_rules! test {
    (both, $module:ident :: $name:ident) => {
        test!(@ $crate::Backends::Both, $module::$name)
    };
    (sqlite_only, $module:ident :: $name:ident) => {
        test!(@ $crate::Backends::SqliteOnly, $module::$name)
    };
    (postgres_only, $module:ident :: $name:ident) => {
        test!(@ $crate::Backends::PostgresOnly, $module::$name)
    };
    (@ $backends:expr, $module:ident :: $name:ident) => {
        $crate::Test {
            name: concat!(stringify!($module), "::", stringify!($name)),
            run: || Box::pin($crate::$module::$name()),
            backends: $backends,
        }
    };
}
// The PostgreSQL-only suite (`scale_out`) lists its tests with it.
#[cfg(feature = "postgres")]
pub(crate) use test;

fn tests() -> Vec<Test> {
    #[allow(unused_mut)]
    let mut tests = vec![
        test!(both, store::claims_are_first_in_first_out_and_writes_are_fenced_on_the_attempt),
        test!(both, store::an_expired_lease_is_taken_back_and_the_last_attempt_fails_worker_lost),
        test!(both, store::racing_submits_with_one_key_make_one_task),
        test!(both, store::the_sweep_deletes_old_finished_tasks_in_batches_and_keys_outlive_them),
        test!(both, store::paging_while_tasks_are_submitted_and_swept_shows_each_lasting_task_once),
        test!(both, store::filters_combine_and_a_cancel_by_filter_touches_only_the_tenants_unfinished_matches),
        test!(both, console_api::a_sign_in_sets_a_strict_http_only_cookie_and_never_echoes_the_key),
        test!(both, console_api::a_change_needs_the_sessions_csrf_token_and_sign_out_ends_the_session),
        test!(both, console_api::a_read_only_key_is_refused_every_change_on_the_api_and_in_the_console),
        test!(both, console_api::a_tenant_sees_only_its_own_tasks_and_an_operator_every_tenants),
        test!(both, console_api::a_failed_task_retried_from_the_console_names_its_original),
        test!(both, console_api::the_overview_counts_the_queue_and_an_operator_sees_the_instance),
        test!(both, console_api::the_live_feed_brings_a_new_task_and_its_changes_as_rows),
        test!(both, console_api::every_console_answer_carries_a_strict_policy_and_no_framing),
        test!(sqlite_only, console_api::under_tls_the_cookie_is_secure_and_a_session_expires_on_time),
        test!(both, console_api::a_key_taken_out_of_the_keys_ends_the_sessions_it_opened),
        test!(both, console_store::every_tenants_listing_and_capped_counts_cover_what_the_scope_says),
        test!(both, console_store::the_last_hours_finishes_fall_into_their_stretches),
        test!(both, console_store::instances_are_listed_by_their_last_heartbeat_and_old_ones_forgotten),
        test!(both, console_store::a_session_is_found_until_it_expires_or_ends),
        test!(both, console_store::each_event_names_the_attempt_and_the_instance_that_held_the_task),
        test!(both, event_log::a_tasks_life_is_logged_in_order_and_each_event_shows_the_task_as_it_was),
        test!(both, event_log::requeues_cancels_and_retries_are_logged_and_the_sweep_leaves_a_horizon),
        test!(both, event_stream::a_tasks_stream_begins_with_its_current_status_and_ends_after_its_terminal_event),
        test!(both, event_stream::resuming_after_the_last_event_id_loses_nothing_and_repeats_nothing),
        test!(both, event_stream::a_consumer_that_stops_reading_is_cut_off_with_the_point_to_resume_from),
        test!(both, event_stream::a_stream_that_falls_behind_the_tenants_feed_catches_up_with_nothing_lost),
        test!(both, webhooks::a_finished_task_is_posted_signed_and_the_sdk_verifies_it),
        test!(both, webhooks::failed_tries_are_retried_with_the_same_webhook_id_until_one_is_taken),
        test!(both, webhooks::a_410_stops_an_endpoint_and_a_spent_schedule_gives_up),
        test!(both, webhooks::a_rotating_tenant_signs_with_both_secrets),
        test!(both, webhooks::a_tenants_default_endpoint_gets_the_tasks_that_name_none),
        test!(both, webhooks::callback_urls_follow_the_document_address_rules),
        test!(both, webhooks::a_submit_naming_a_webhook_without_a_secret_is_refused),
        test!(both, webhooks::a_receiver_that_hangs_does_not_hold_up_other_endpoints),
        test!(postgres_only, webhooks::exactly_one_instance_delivers_each_event),
        test!(sqlite_only, webhooks::a_delivery_pending_when_the_server_is_killed_is_made_after_restart),
        test!(both, shared_stream::a_thousand_waits_on_one_client_share_one_stream_and_hold_no_request),
        test!(both, shared_stream::no_finish_is_missed_however_it_falls_against_a_wait_starting),
        test!(both, shared_stream::a_wait_on_a_task_that_already_finished_ends_at_once),
        test!(both, shared_stream::waits_ride_out_a_dropped_stream_and_miss_nothing),
        test!(both, shared_stream::waits_told_not_to_use_the_stream_long_poll_as_before),
        test!(both, shared_stream::a_wait_on_the_stream_gives_up_at_its_deadline_and_names_its_task),
        test!(sqlite_only, tls::the_sdk_trusts_an_extra_root_and_talks_https_with_http2),
        test!(sqlite_only, tls::a_wrong_name_or_an_untrusted_ca_is_a_tls_error_and_is_not_retried),
        test!(sqlite_only, tls::a_renewed_certificate_is_served_without_a_restart),
        test!(sqlite_only, tls::the_token_never_leaves_over_plaintext_when_a_status_url_downgrades),
        test!(sqlite_only, tls::through_a_proxy_the_token_travels_only_inside_the_tls_tunnel),
        test!(both, contract_clients::the_specs_python_client_stops_waiting_on_a_task_another_client_cancels),
        test!(both, contract_clients::a_bash_loop_over_completed_or_failed_stops_on_a_task_another_client_cancels),
        test!(both, documents::html_is_fetched_over_http_and_read_without_scripts_or_styles),
        test!(both, documents::a_pdf_text_layer_is_analysed),
        test!(both, documents::markdown_from_a_data_url_loses_its_markup),
        test!(both, documents::unreadable_documents_fail_with_specific_codes),
        test!(both, documents::names_that_resolve_to_private_addresses_are_refused_unless_allowed),
        test!(both, documents::file_urls_are_served_only_from_the_documents_directory),
        test!(both, documents::work_delay_paces_a_task_evenly),
        test!(both, documents::private_literal_addresses_end_the_task_forbidden_and_no_request_leaves),
        test!(both, end_to_end::the_seed_flow_runs_end_to_end_with_visible_progress),
        test!(both, end_to_end::the_sdk_long_polls_this_server_when_told_not_to_use_its_event_stream),
        test!(both, end_to_end::resubmitting_with_the_same_key_returns_the_same_task),
        test!(both, end_to_end::a_running_task_can_be_cancelled_and_stays_cancelled),
        test!(both, end_to_end::a_running_task_says_what_it_is_doing_and_a_finished_one_does_not),
        test!(both, end_to_end::a_held_long_poll_wakes_within_milliseconds_of_a_change),
        test!(both, end_to_end::a_full_queue_turns_submits_away_with_503),
        test!(sqlite_only, end_to_end::shutdown_releases_held_polls_and_requeues_running_work_for_the_next_start),
        test!(sqlite_only, http2::a_burst_of_submits_on_one_connection_is_accepted_in_full),
        test!(both, http2::sdk_waits_with_prior_knowledge_share_one_connection_and_each_get_their_result),
        test!(sqlite_only, http2::an_explicit_proxy_keeps_status_gets_with_prior_knowledge_on_the_proxy),
        test!(sqlite_only, listen::a_burst_of_connects_waits_in_the_backlog_instead_of_being_dropped),
        test!(both, metrics::a_scrape_after_a_known_workload_counts_it_exactly),
        test!(both, metrics::without_a_metrics_listener_there_is_no_metrics_endpoint),
        test!(both, openapi::every_schema_names_exactly_the_fields_the_sdk_types_send),
        test!(both, openapi::what_the_server_sends_validates_and_decodes_field_for_field),
        test!(both, openapi::the_openapi_document_lists_every_route_the_router_serves),
        test!(sqlite_only, restart::a_task_interrupted_by_sigkill_completes_after_a_restart),
        test!(sqlite_only, restart::a_wait_with_prior_knowledge_carries_on_over_a_new_connection_after_a_restart),
        test!(sqlite_only, restart::sigterm_stops_the_server_promptly_and_cleanly),
        test!(sqlite_only, restart::the_server_refuses_to_start_without_a_key),
        test!(sqlite_only, startup::a_second_server_on_the_same_file_is_refused_and_the_first_keeps_its_task),
        test!(sqlite_only, startup::after_a_sigkill_the_next_server_takes_the_file),
        test!(sqlite_only, startup::the_database_is_named_at_start_and_a_mistyped_directory_is_not_created),
        test!(sqlite_only, retention::finished_tasks_go_after_their_time_to_live_and_their_keys_a_day_after_they_were_made),
        test!(both, retention::unfinished_tasks_are_never_swept),
        test!(both, listing::labels_round_trip_and_a_bad_one_is_a_400_naming_it),
        test!(both, listing::the_listing_pages_newest_first_filters_and_refuses_bad_parameters),
        test!(both, listing::a_failed_task_retried_completes_with_retry_of_and_a_completed_one_is_409),
        test!(both, listing::a_tenant_never_lists_retries_or_cancels_another_tenants_tasks),
        test!(both, router::a_valid_submit_is_accepted_with_location_retry_after_and_the_seed_body),
        test!(both, router::the_status_of_a_pending_task_carries_timestamps_and_retry_after),
        test!(both, router::bad_requests_get_problem_details_naming_the_field),
        test!(both, router::a_non_json_content_type_is_415_and_a_huge_body_is_413),
        test!(both, router::missing_or_wrong_keys_get_401_with_a_bearer_challenge),
        test!(both, router::unknown_tasks_routes_and_methods_are_404_and_405_problems),
        test!(both, router::cancelling_works_once_and_then_conflicts),
        test!(both, router::idempotency_keys_return_the_same_task_or_refuse_a_different_body),
        test!(both, router::a_full_queue_answers_503_with_retry_after),
        test!(both, router::injected_faults_lose_some_submits_after_creating_them_and_keys_prevent_duplicates),
        test!(both, router::a_long_poll_on_a_quiet_task_waits_the_requested_time_and_says_so),
        test!(both, ssrf::every_form_of_a_forbidden_address_ends_forbidden_and_nothing_leaves),
        test!(both, ssrf::a_redirect_from_an_allowed_origin_to_a_forbidden_one_is_refused),
        test!(sqlite_only, ssrf::the_environments_proxy_is_ignored_and_an_explicit_one_still_refuses_private_addresses),
        test!(both, tenants::another_tenants_task_answers_exactly_like_an_unknown_one),
        test!(both, tenants::idempotency_keys_belong_to_their_tenant),
        test!(both, tenants::a_wrong_key_is_refused_and_each_tenant_has_its_own_rate),
    ];
    #[cfg(feature = "postgres")]
    tests.extend(scale_out::tests());
    #[cfg(feature = "postgres")]
    tests.push(test!(
        postgres_only,
        event_log::writers_committing_out_of_order_never_make_a_resuming_reader_skip_an_event
    ));
    #[cfg(feature = "postgres")]
    tests.push(test!(
        postgres_only,
        event_stream::a_stream_on_one_instance_follows_tasks_another_instance_runs
    ));
    tests
}

/// The document reader a test needs and this build lacks (the `pdf` and
/// `html` features are on by default, so this is only a build made without).
fn missing_reader(name: &str) -> Option<&'static str> {
    match name {
        "documents::a_pdf_text_layer_is_analysed"
        | "documents::unreadable_documents_fail_with_specific_codes"
            if !cfg!(feature = "pdf") =>
        {
            Some("pdf")
        }
        "documents::html_is_fetched_over_http_and_read_without_scripts_or_styles"
            if !cfg!(feature = "html") =>
        {
            Some("html")
        }
        _ => None,
    }
}

fn main() {
    let args = Arguments::from_args();
    let postgres = support::postgres_url();
    let mut trials = Vec::new();
    for test in tests() {
        let Test {
            name,
            run,
            backends,
        } = test;
        let missing = missing_reader(name);
        if let Some(feature) = missing {
            eprintln!("skipped: {name}, because this build has no `{feature}` feature");
        }
        if backends != Backends::PostgresOnly {
            trials.push(
                Trial::test(format!("sqlite::{name}"), move || {
                    support::run(support::Backend::Sqlite, run)
                })
                .with_ignored_flag(missing.is_some()),
            );
        }
        if backends == Backends::Both
            && (name.starts_with("store::")
                || name.starts_with("console_store::")
                || name.starts_with("event_log::")
                || name.starts_with("end_to_end::"))
        {
            trials.push(
                Trial::test(format!("memory::{name}"), move || {
                    support::run(support::Backend::Memory, run)
                })
                .with_ignored_flag(missing.is_some()),
            );
        }
        if backends != Backends::SqliteOnly && cfg!(feature = "postgres") {
            trials.push(
                Trial::test(format!("postgres::{name}"), move || {
                    support::run(support::Backend::Postgres, run)
                })
                .with_ignored_flag(postgres.is_none() || missing.is_some()),
            );
        }
    }
    if cfg!(feature = "postgres") && postgres.is_none() {
        eprintln!(
            "skipped: the postgres::* tests, because ORCHESTRATOR_TEST_DATABASE_URL is not set \
             (eval \"$(bash scripts/postgres.sh start)\" starts a cluster for them)"
        );
    }
    libtest_mimic::run(&args, trials).exit();
}
