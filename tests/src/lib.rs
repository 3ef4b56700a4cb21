//! Test fixtures: the real sync-server on port 0 over a throwaway SQLite file or PostgreSQL
//! database, an admin HTTP client, and a simulated tablet that signs its requests.

pub mod admin;
pub mod backend;
pub mod device;
pub mod server;

pub use admin::AdminClient;
pub use backend::Backend;
pub use device::TestDevice;
pub use server::{Seed, TestServer};

/// Runs an async test body once per database: `both_databases!(my_test);` expects
/// `async fn my_test(backend: Backend)` in scope and creates `sqlite::my_test` and `postgres::my_test`.
#[macro_export]
macro_rules! both_databases {
    ($($name:ident),* $(,)?) => {
        mod sqlite {
            $(
                #[tokio::test(flavor = "multi_thread", worker_threads = 2)]
                async fn $name() {
                    super::$name($crate::Backend::Sqlite).await
                }
            )*
        }
        mod postgres {
            $(
                #[tokio::test(flavor = "multi_thread", worker_threads = 2)]
                async fn $name() {
                    super::$name($crate::Backend::Postgres).await
                }
            )*
        }
    };
}
