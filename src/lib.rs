//! linli (邻里): a server-rendered community portal for districts,
//! workshops and micro-wishes.
#![forbid(unsafe_code)]

pub mod admin;
pub mod config;
pub mod db;
pub mod domain;
pub mod i18n;
pub mod seed;
pub mod startup;
pub mod telemetry;
pub mod web;
