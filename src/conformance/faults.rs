//! Fault rules: what the adapter makes of an ERP that is down, hangs, or talks nonsense. They
//! run against [`super::FaultSubjects`], the same adapter pointed at broken servers, and are
//! skipped when the subject has none.

use std::time::{Duration, Instant};

use super::context::Context;
use super::{Checked, FaultSubjects, Outcome, Rule, ensure};
use crate::erp::{Erp, ErpError, ErpResult};

pub(super) const RULES: &[Rule] = &[
    Rule {
        id: "faults.unreachable",
        description: "An ERP that cannot be reached is Unavailable.",
        check: |cx| Box::pin(unreachable(cx)),
    },
    Rule {
        id: "faults.timeout",
        description: "An ERP that never answers is a Timeout, within the configured deadline.",
        check: |cx| Box::pin(timeout(cx)),
    },
    Rule {
        id: "faults.invalid_data",
        description: "An ERP that answers with nonsense is InvalidData.",
        check: |cx| Box::pin(invalid_data(cx)),
    },
];

fn faults<'a>(cx: &'a Context<'_>) -> Result<&'a FaultSubjects, Outcome> {
    cx.subject.faults.as_ref().ok_or_else(|| {
        Outcome::Skip(
            "no broken ERPs to point this adapter at (it runs in-process, or the harness cannot build them)"
                .into(),
        )
    })
}

/// The calls every fault rule makes: a catalog read and a customer's read, as they may take
/// different paths through an adapter.
#[derive(Clone, Copy)]
enum Call {
    Categories,
    Orders,
}

const CALLS: [Call; 2] = [Call::Categories, Call::Orders];

impl Call {
    fn name(self, cx: &Context<'_>) -> String {
        match self {
            Self::Categories => "categories()".into(),
            Self::Orders => format!("orders({})", cx.subject.customer),
        }
    }

    async fn run(self, erp: &dyn Erp, cx: &Context<'_>) -> ErpResult<()> {
        match self {
            Self::Categories => erp.categories().await.map(drop),
            Self::Orders => erp.orders(&cx.subject.customer).await.map(drop),
        }
    }
}

fn expect(
    name: &str,
    answer: ErpResult<()>,
    wanted: &str,
    is_wanted: fn(&ErpError) -> bool,
) -> Result<(), String> {
    match answer {
        Err(error) if is_wanted(&error) => Ok(()),
        Err(error) => Err(format!("{name} failed with \"{error}\"; expected {wanted}")),
        Ok(()) => Err(format!("{name} succeeded; expected {wanted}")),
    }
}

async fn unreachable(cx: &Context<'_>) -> Checked {
    let erp = match faults(cx) {
        Ok(faults) => faults.unreachable.as_ref(),
        Err(skip) => return Ok(skip),
    };
    for call in CALLS {
        let wanted = |e: &ErpError| matches!(e, ErpError::Unavailable { .. });
        expect(
            &call.name(cx),
            call.run(erp, cx).await,
            "Unavailable",
            wanted,
        )?;
    }
    Ok(Outcome::Pass)
}

async fn invalid_data(cx: &Context<'_>) -> Checked {
    let erp = match faults(cx) {
        Ok(faults) => faults.nonsense.as_ref(),
        Err(skip) => return Ok(skip),
    };
    for call in CALLS {
        let wanted = |e: &ErpError| matches!(e, ErpError::InvalidData { .. });
        expect(
            &call.name(cx),
            call.run(erp, cx).await,
            "InvalidData",
            wanted,
        )?;
    }
    Ok(Outcome::Pass)
}

/// How much later than its deadline an adapter may give up: scheduling and connection set-up
/// take some time, but not this much.
fn margin(deadline: Duration) -> Duration {
    (deadline / 4).max(Duration::from_secs(1))
}

async fn timeout(cx: &Context<'_>) -> Checked {
    let (erp, deadline) = match faults(cx) {
        Ok(faults) => (faults.slow.as_ref(), faults.slow_deadline),
        Err(skip) => return Ok(skip),
    };
    let allowed = deadline + margin(deadline);
    for call in CALLS {
        let name = call.name(cx);
        let started = Instant::now();
        let answer = tokio::time::timeout(allowed, call.run(erp, cx)).await;
        let took = seconds(started.elapsed());
        let Ok(answer) = answer else {
            return Err(format!(
                "{name} had no answer after {took}; the deadline is {}",
                seconds(deadline)
            ));
        };
        expect(&name, answer, "Timeout", |e| matches!(e, ErpError::Timeout))
            .map_err(|reason| format!("{reason} (after {took})"))?;
        ensure(started.elapsed() <= allowed, || {
            format!(
                "{name} gave up after {took}; the deadline is {}",
                seconds(deadline)
            )
        })?;
    }
    Ok(Outcome::Pass)
}

fn seconds(duration: Duration) -> String {
    format!("{:.2} s", duration.as_secs_f64())
}
