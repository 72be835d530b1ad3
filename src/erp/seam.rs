//! How the [`Erp`](super::Erp) trait is written: from one list of operations (in `erp/mod.rs`),
//! which [`erp_seam!`] turns into three things that can then never disagree:
//!
//! - the [`Erp`](super::Erp) trait the adapters implement, with a default that answers
//!   `Unsupported` for every operation listed as optional;
//! - the [`ErpLayer`](super::ErpLayer) trait for wrappers (cache, resilience, test doubles):
//!   each operation forwards to [`inner`](super::ErpLayer::inner) through one generic
//!   [`around`](super::ErpLayer::around) hook unless the layer writes it out, so a layer states
//!   only what it does differently;
//! - `impl Erp for` every layer, which sends each operation to the layer's version.
//!
//! Adding an operation is then: its line in the list, the adapters that support it, and its
//! conformance rules. A macro was chosen over capability sub-traits (each wrapper would still
//! forward every capability it leaves alone, and every caller would import the sub-traits) and
//! over one request enum through a tower `Service` (every call would clone its arguments into
//! an owned request and match its answer back out of a response enum, on the cached hit path
//! too). The list stays a readable, documented trait body; rustdoc shows the generated traits.

/// Whether repeating an operation is harmless.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Access {
    /// A read: may be repeated.
    Read,
    /// A write: never repeated by a layer (an order's retry is a new submission with the same
    /// idempotency key, decided by [`crate::ordering`]).
    Write,
}

/// The operation a layer is asked to wrap: its name (for logs and counts) and its access.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Operation {
    /// The trait method's name, e.g. `product`.
    pub name: &'static str,
    /// Read or write.
    pub access: Access,
}

/// Expands to the [`Access`] of a `read` or `write` entry of the operation list.
#[doc(hidden)]
#[macro_export]
macro_rules! erp_access {
    (read) => {
        $crate::erp::Access::Read
    };
    (write) => {
        $crate::erp::Access::Write
    };
}

/// Writes the ERP seam from the list of operations; see the [module docs](self).
macro_rules! erp_seam {
    (
        required {
            $( $(#[$rdoc:meta])* $raccess:ident fn $rop:ident($($rarg:ident: $rty:ty),*) -> $rout:ty; )*
        }
        optional {
            $( $(#[$odoc:meta])* $oaccess:ident fn $oop:ident($($oarg:ident: $oty:ty),*) -> $oout:ty; )*
        }
    ) => {
        /// An ERP, as the gateway needs it. Every method is a live call to the system of record.
        ///
        /// Customer-specific operations take the customer as an argument and must answer
        /// `NotFound` for a record that belongs to another customer: that is what keeps one
        /// buyer from another's data even when a number is guessed.
        #[async_trait::async_trait]
        pub trait Erp: Send + Sync + 'static {
            /// A short name for logs and the status page (`demo`, `tryton`).
            fn name(&self) -> &str;

            /// Is the ERP answering? The default asks for the category list.
            async fn health(&self) -> ErpResult<()> {
                self.categories().await.map(|_| ())
            }

            $( $(#[$rdoc])* async fn $rop(&self, $($rarg: $rty),*) -> ErpResult<$rout>; )*

            $(
                $(#[$odoc])*
                ///
                /// The default answers `Unsupported`, and the gateway offers what it can
                /// without it.
                async fn $oop(&self, $($oarg: $oty),*) -> ErpResult<$oout> {
                    $( let _ = $oarg; )*
                    Err(ErpError::Unsupported { operation: stringify!($oop) })
                }
            )*
        }

        /// A wrapper around another [`Erp`]: every operation goes to [`Self::inner`] through
        /// [`Self::around`] unless the layer writes it out. Every `ErpLayer` is an [`Erp`].
        #[async_trait::async_trait]
        pub trait ErpLayer: Send + Sync + 'static {
            /// The wrapped ERP.
            fn inner(&self) -> &dyn Erp;

            /// Runs one call of `operation`; `call` makes it on the inner ERP and may be made
            /// again (for reads). The default makes it once.
            fn around<T, F, Fut>(
                &self,
                operation: Operation,
                call: F,
            ) -> impl Future<Output = ErpResult<T>> + Send
            where
                T: Send,
                F: Fn() -> Fut + Send,
                Fut: Future<Output = ErpResult<T>> + Send,
            {
                let _ = operation;
                call()
            }

            /// The inner ERP's name.
            fn name(&self) -> &str {
                self.inner().name()
            }

            /// Is the ERP answering?
            async fn health(&self) -> ErpResult<()> {
                let operation = Operation { name: "health", access: Access::Read };
                self.around(operation, || self.inner().health()).await
            }

            $(
                $(#[$rdoc])*
                async fn $rop(&self, $($rarg: $rty),*) -> ErpResult<$rout> {
                    let operation =
                        Operation { name: stringify!($rop), access: $crate::erp_access!($raccess) };
                    self.around(operation, || self.inner().$rop($($rarg),*)).await
                }
            )*
            $(
                $(#[$odoc])*
                async fn $oop(&self, $($oarg: $oty),*) -> ErpResult<$oout> {
                    let operation =
                        Operation { name: stringify!($oop), access: $crate::erp_access!($oaccess) };
                    self.around(operation, || self.inner().$oop($($oarg),*)).await
                }
            )*
        }

        #[async_trait::async_trait]
        impl<L: ErpLayer> Erp for L {
            fn name(&self) -> &str {
                ErpLayer::name(self)
            }

            async fn health(&self) -> ErpResult<()> {
                ErpLayer::health(self).await
            }

            $(
                async fn $rop(&self, $($rarg: $rty),*) -> ErpResult<$rout> {
                    ErpLayer::$rop(self, $($rarg),*).await
                }
            )*
            $(
                async fn $oop(&self, $($oarg: $oty),*) -> ErpResult<$oout> {
                    ErpLayer::$oop(self, $($oarg),*).await
                }
            )*
        }
    };
}

pub(super) use erp_seam;
