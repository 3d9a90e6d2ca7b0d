//! Two database futures driven at once on the process's one runtime thread: each waits on its own
//! connection, so the server works on both statements in parallel while this thread only reads rows.
//! (tokio's `join!` needs its macros crate; this is all of it that is used.)

use std::future::{Future, poll_fn};
use std::pin::pin;
use std::task::Poll;

/// Both outputs, once both futures are done. Neither is dropped half-way: a statement stopped in the
/// middle of its result would leave its connection unusable.
pub(crate) async fn both<A, B>(a: impl Future<Output = A>, b: impl Future<Output = B>) -> (A, B) {
    let (mut a, mut b) = (pin!(a), pin!(b));
    let (mut done_a, mut done_b) = (None, None);
    poll_fn(move |cx| {
        if done_a.is_none() {
            if let Poll::Ready(out) = a.as_mut().poll(cx) {
                done_a = Some(out);
            }
        }
        if done_b.is_none() {
            if let Poll::Ready(out) = b.as_mut().poll(cx) {
                done_b = Some(out);
            }
        }
        match (done_a.take(), done_b.take()) {
            (Some(a), Some(b)) => Poll::Ready((a, b)),
            (a, b) => {
                done_a = a;
                done_b = b;
                Poll::Pending
            }
        }
    })
    .await
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn both_outputs_arrive_whatever_finishes_first() {
        let runtime = tokio::runtime::Builder::new_current_thread()
            .enable_time()
            .build()
            .expect("a runtime");
        let (a, b) = runtime.block_on(both(
            async {
                tokio::time::sleep(std::time::Duration::from_millis(20)).await;
                1
            },
            async { "b" },
        ));
        assert_eq!((a, b), (1, "b"));
    }
}
