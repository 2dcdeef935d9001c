//! The web app and API over HTTPS (rustls, the certificate from PEM files,
//! the same loader as SIP over TLS). Each connection's handshake has 10 s;
//! a failed one closes only that connection. Requests see the client's
//! address as over plain HTTP (`ConnectInfo`).

use std::time::Duration;

use axum::extract::connect_info::ConnectInfo;
use axum::Router;
use hyper_util::rt::{TokioExecutor, TokioIo};
use tokio::net::TcpListener;

/// Serves `app` on `listener` over TLS until `shutdown` resolves.
pub async fn serve(listener: TcpListener, acceptor: tokio_rustls::TlsAcceptor, app: Router, shutdown: impl std::future::Future<Output = ()> + Send + 'static) {
    tokio::pin!(shutdown);
    loop {
        let (stream, peer) = tokio::select! {
            () = &mut shutdown => return,
            accepted = listener.accept() => match accepted {
                Ok(a) => a,
                Err(e) => {
                    tracing::warn!(error = %e, "HTTPS accept failed");
                    tokio::time::sleep(Duration::from_millis(50)).await;
                    continue;
                }
            },
        };
        let (acceptor, app) = (acceptor.clone(), app.clone());
        tokio::spawn(async move {
            let tls = match tokio::time::timeout(Duration::from_secs(10), acceptor.accept(stream)).await {
                Ok(Ok(tls)) => tls,
                Ok(Err(e)) => return tracing::debug!(%peer, error = %e, "HTTPS handshake failed"),
                Err(_) => return tracing::debug!(%peer, "HTTPS handshake timed out"),
            };
            let app = app.layer(axum::Extension(ConnectInfo(peer)));
            let service = hyper_util::service::TowerToHyperService::new(app);
            if let Err(e) = hyper_util::server::conn::auto::Builder::new(TokioExecutor::new()).serve_connection_with_upgrades(TokioIo::new(tls), service).await {
                tracing::debug!(%peer, error = %e, "HTTPS connection ended");
            }
        });
    }
}
