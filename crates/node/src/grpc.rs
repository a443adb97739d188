//! The gRPC server (tonic over HTTP/2): every Cosmos SDK query service of [`crate::cosmos`]
//! at its standard method path, from the same handlers as `abci_query` — one generic
//! unary method (raw protobuf bytes in and out) routes `/<package.Service>/<Method>` there.
//!
//! Heights as the SDK takes them: the `x-cosmos-block-height` request metadata asks for a
//! past height (absent or 0 = latest), and every answer carries the height it is for in the
//! same response header. Errors are gRPC statuses with the SDK's codes and wording.
//! Server reflection is not offered yet (it needs the services' descriptor sets).

use std::future::Future;
use std::pin::Pin;
use std::sync::Arc;
use std::task::{Context, Poll};

use axum::extract::{Request, State};
use axum::response::{IntoResponse, Response};
use axum::Router;
use bytes::{Buf, BufMut};
use tonic::codec::{Codec, DecodeBuf, Decoder, EncodeBuf, Encoder};
use tonic::Status;

use crate::cosmos::{self, Code, QueryError};
use crate::Shared;

/// The metadata key of a query height (request) and answered height (response).
pub(crate) const HEIGHT_HEADER: &str = "x-cosmos-block-height";

/// Raw protobuf bytes, framed by tonic.
#[derive(Debug, Clone, Copy, Default)]
struct RawCodec;

#[derive(Debug, Clone, Copy, Default)]
struct RawEncoder;

#[derive(Debug, Clone, Copy, Default)]
struct RawDecoder;

impl Codec for RawCodec {
    type Encode = Vec<u8>;
    type Decode = Vec<u8>;
    type Encoder = RawEncoder;
    type Decoder = RawDecoder;
    fn encoder(&mut self) -> RawEncoder {
        RawEncoder
    }
    fn decoder(&mut self) -> RawDecoder {
        RawDecoder
    }
}

impl Encoder for RawEncoder {
    type Item = Vec<u8>;
    type Error = Status;
    fn encode(&mut self, item: Vec<u8>, dst: &mut EncodeBuf<'_>) -> Result<(), Status> {
        dst.put_slice(&item);
        Ok(())
    }
}

impl Decoder for RawDecoder {
    type Item = Vec<u8>;
    type Error = Status;
    fn decode(&mut self, src: &mut DecodeBuf<'_>) -> Result<Option<Vec<u8>>, Status> {
        let mut v = vec![0u8; src.remaining()];
        src.copy_to_slice(&mut v);
        Ok(Some(v))
    }
}

fn status(e: &QueryError) -> Status {
    let code = match e.code {
        Code::Unknown => tonic::Code::Unknown,
        Code::InvalidArgument => tonic::Code::InvalidArgument,
        Code::NotFound => tonic::Code::NotFound,
        Code::Unimplemented => tonic::Code::Unimplemented,
        Code::Internal => tonic::Code::Internal,
    };
    Status::new(code, e.message.clone())
}

/// One call of a method path.
#[derive(Clone)]
struct Method {
    sh: Arc<Shared>,
    path: String,
}

impl tower::Service<tonic::Request<Vec<u8>>> for Method {
    type Response = tonic::Response<Vec<u8>>;
    type Error = Status;
    type Future = Pin<Box<dyn Future<Output = Result<Self::Response, Status>> + Send>>;

    fn poll_ready(&mut self, _cx: &mut Context<'_>) -> Poll<Result<(), Status>> {
        Poll::Ready(Ok(()))
    }

    fn call(&mut self, req: tonic::Request<Vec<u8>>) -> Self::Future {
        let (sh, path) = (self.sh.clone(), self.path.clone());
        Box::pin(async move {
            let height = match req.metadata().get(HEIGHT_HEADER) {
                None => 0,
                Some(v) => {
                    v.to_str().ok().and_then(|s| s.trim().parse::<u64>().ok()).ok_or_else(|| {
                        Status::invalid_argument(format!(
                            "invalid height in {HEIGHT_HEADER}: must be a non-negative integer"
                        ))
                    })?
                }
            };
            let a = cosmos::handle(&sh, &path, req.into_inner(), height)
                .await
                .map_err(|e| status(&e))?;
            let mut resp = tonic::Response::new(a.value);
            if let Ok(v) = a.height.to_string().parse() {
                resp.metadata_mut().insert(HEIGHT_HEADER, v);
            }
            Ok(resp)
        })
    }
}

async fn serve_method(State(sh): State<Arc<Shared>>, req: Request) -> Response {
    let path = req.uri().path().to_string();
    let mut grpc = tonic::server::Grpc::new(RawCodec);
    grpc.unary(Method { sh, path }, req).await.map(axum::body::Body::new).into_response()
}

/// The gRPC router: any `/<package.Service>/<Method>` path.
pub(crate) fn router(sh: Arc<Shared>) -> Router {
    Router::new().fallback(serve_method).with_state(sh)
}

/// The service names we serve (for logs and docs).
pub(crate) fn services() -> Vec<String> {
    let mut v: Vec<String> = cosmos::methods()
        .iter()
        .filter_map(|m| m.trim_start_matches('/').split_once('/').map(|(s, _)| s.to_string()))
        .collect();
    v.dedup();
    v
}
