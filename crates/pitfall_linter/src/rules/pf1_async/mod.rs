//! PF1xx: async & concurrency.

pub mod asyncio_run_in_coroutine;
pub mod blocking_call_in_async;
pub mod cancelled_error_not_reraised;
pub mod coroutine_not_awaited;
pub mod dangling_asyncio_task;
pub mod lock_reacquired_while_held;
pub mod multiprocessing_without_main_guard;
pub mod unpicklable_process_target;
pub mod unsynchronized_shared_state;
