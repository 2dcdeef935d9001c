//! Store stories, each run on SQLite and on PostgreSQL.

mod config;
mod customers;
mod demo;
mod fixtures;
mod interactions;
mod ivr;
mod migrations;
mod support;
mod telephony;
mod tenants;
mod users;
