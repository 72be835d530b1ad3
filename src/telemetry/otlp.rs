//! Spans to an OpenTelemetry collector over OTLP (HTTP, protobuf), for builds with the `otlp`
//! feature. Export is on when `OTEL_EXPORTER_OTLP_ENDPOINT` (or `OTEL_EXPORTER_OTLP_TRACES_ENDPOINT`)
//! is set, and configured by the standard `OTEL_*` variables the exporter reads itself (headers,
//! timeout, compression), so an operator's usual collector settings apply unchanged. Every
//! `tracing` span becomes an OpenTelemetry span with its fields as attributes: the `request` span
//! carries `request_id`, so a trace is found by the id in the logs and the `X-Request-Id` header.

use std::sync::OnceLock;

use opentelemetry::trace::TracerProvider as _;
use opentelemetry_sdk::Resource;
use opentelemetry_sdk::trace::SdkTracerProvider;
use tracing_subscriber::Layer;
use tracing_subscriber::registry::LookupSpan;

/// Kept to flush the batch of spans not yet sent when the process ends.
static PROVIDER: OnceLock<SdkTracerProvider> = OnceLock::new();

/// The export layer, if a collector is named.
pub(super) fn layer<S>() -> Option<Box<dyn Layer<S> + Send + Sync>>
where
    S: tracing::Subscriber + for<'a> LookupSpan<'a> + Send + Sync,
{
    let named = [
        "OTEL_EXPORTER_OTLP_ENDPOINT",
        "OTEL_EXPORTER_OTLP_TRACES_ENDPOINT",
    ]
    .iter()
    .any(|name| std::env::var_os(name).is_some_and(|v| !v.is_empty()));
    if !named {
        return None;
    }
    let exporter = match opentelemetry_otlp::SpanExporter::builder()
        .with_http()
        .build()
    {
        Ok(exporter) => exporter,
        Err(error) => {
            // The subscriber is not installed yet: standard error is the only place to say it.
            eprintln!("erpfront: OpenTelemetry export is off: {error}");
            return None;
        }
    };
    // OTEL_SERVICE_NAME and OTEL_RESOURCE_ATTRIBUTES are read by the resource's own detectors.
    let mut resource = Resource::builder();
    if std::env::var_os("OTEL_SERVICE_NAME").is_none() {
        resource = resource.with_service_name("erpfront");
    }
    let provider = SdkTracerProvider::builder()
        .with_batch_exporter(exporter)
        .with_resource(resource.build())
        .build();
    let tracer = provider.tracer("erpfront");
    let _ = PROVIDER.set(provider);
    Some(tracing_opentelemetry::layer().with_tracer(tracer).boxed())
}

/// Flushes and stops the exporter.
pub(super) fn shutdown() {
    if let Some(provider) = PROVIDER.get() {
        let _ = provider.shutdown();
    }
}
