//! The wire and WAL codec: borsh (binary, canonical, length-prefixed) over the engine's own
//! message types, whose borsh encodings Malachite ships behind its `borsh` features, and over
//! our context types, which derive it. Chosen over protobuf because it needs no schema files
//! and no code generation of ours; its decoder rejects trailing
//! bytes and caps allocations, so a garbage message fails to decode instead of crashing.
//!
//! Blocks themselves are not borsh: they travel (proposal parts, value sync) as the same JSON
//! the block store keeps, so the block hash is computed over one canonical form.

use bytes::Bytes;
use malachitebft_app_channel::app::consensus::{LivenessMsg, ProposedValue, SignedConsensusMsg};
use malachitebft_app_channel::app::streaming::StreamMessage;
use malachitebft_app_channel::app::types::codec::{Codec, HasEncodedLen};
use malachitebft_app_channel::app::types::sync::{RawDecidedValue, Request, Response, Status};
use malachitebft_core_types::{
    ExtendedCommitCertificate, ExtendedCommitSignature, PolkaCertificate, Round, SignedExtension,
    ValidatorProof,
};
use malachitebft_sync::ValueResponse;

use crate::context::{Address, BlockId, DcloudContext, Height, ProposalPart, Signature};

/// The borsh codec (WAL, consensus gossip, sync).
#[derive(Copy, Clone, Debug, Default)]
pub struct BorshCodec;

fn enc<T: borsh::BorshSerialize>(msg: &T) -> Result<Bytes, std::io::Error> {
    borsh::to_vec(msg).map(Bytes::from)
}

macro_rules! borsh_codec {
    ($($t:ty),* $(,)?) => {$(
        impl Codec<$t> for BorshCodec {
            type Error = std::io::Error;

            fn decode(&self, bytes: Bytes) -> Result<$t, Self::Error> {
                borsh::from_slice(&bytes)
            }

            fn encode(&self, msg: &$t) -> Result<Bytes, Self::Error> {
                enc(msg)
            }
        }
    )*};
}

borsh_codec!(
    ProposalPart,
    SignedConsensusMsg<DcloudContext>,
    LivenessMsg<DcloudContext>,
    StreamMessage<ProposalPart>,
    Status<DcloudContext>,
    Request<DcloudContext>,
    ProposedValue<DcloudContext>,
    PolkaCertificate<DcloudContext>,
);

// Malachite 0.8.2 ships borsh for `RawDecidedValue` only where `ExtendedCommitCertificate`
// has it, and it does not; so a sync response is mirrored here field by field.
#[derive(borsh::BorshSerialize, borsh::BorshDeserialize)]
struct RawSig {
    address: Address,
    signature: Signature,
    extension: Option<SignedExtension<DcloudContext>>,
}

#[derive(borsh::BorshSerialize, borsh::BorshDeserialize)]
struct RawValue {
    value_bytes: Vec<u8>,
    height: Height,
    round: Round,
    value_id: BlockId,
    signatures: Vec<RawSig>,
}

#[derive(borsh::BorshSerialize, borsh::BorshDeserialize)]
struct RawResponse {
    start_height: Height,
    values: Vec<RawValue>,
}

fn raw_response(r: &Response<DcloudContext>) -> RawResponse {
    let Response::ValueResponse(v) = r;
    RawResponse {
        start_height: v.start_height,
        values: v
            .values
            .iter()
            .map(|d| RawValue {
                value_bytes: d.value_bytes.to_vec(),
                height: d.certificate.height,
                round: d.certificate.round,
                value_id: d.certificate.value_id,
                signatures: d
                    .certificate
                    .commit_signatures
                    .iter()
                    .map(|s| RawSig {
                        address: s.address,
                        signature: s.signature,
                        extension: s.extension.clone(),
                    })
                    .collect(),
            })
            .collect(),
    }
}

impl Codec<Response<DcloudContext>> for BorshCodec {
    type Error = std::io::Error;

    fn decode(&self, bytes: Bytes) -> Result<Response<DcloudContext>, Self::Error> {
        let r: RawResponse = borsh::from_slice(&bytes)?;
        let values = r
            .values
            .into_iter()
            .map(|v| {
                RawDecidedValue::new(
                    Bytes::from(v.value_bytes),
                    ExtendedCommitCertificate {
                        height: v.height,
                        round: v.round,
                        value_id: v.value_id,
                        commit_signatures: v
                            .signatures
                            .into_iter()
                            .map(|s| {
                                ExtendedCommitSignature::new(s.address, s.signature, s.extension)
                            })
                            .collect(),
                    },
                )
            })
            .collect();
        Ok(Response::ValueResponse(ValueResponse::new(r.start_height, values)))
    }

    fn encode(&self, msg: &Response<DcloudContext>) -> Result<Bytes, Self::Error> {
        enc(&raw_response(msg))
    }
}

impl HasEncodedLen<Response<DcloudContext>> for BorshCodec {
    fn encoded_len(&self, msg: &Response<DcloudContext>) -> Result<usize, std::io::Error> {
        borsh::object_length(&raw_response(msg))
    }
}

/// `ValidatorProof` has no borsh encoding upstream: (public key, peer id, signature).
#[derive(borsh::BorshSerialize, borsh::BorshDeserialize)]
struct RawProof {
    public_key: Vec<u8>,
    peer_id: Vec<u8>,
    signature: Signature,
}

impl Codec<ValidatorProof<DcloudContext>> for BorshCodec {
    type Error = std::io::Error;

    fn decode(&self, bytes: Bytes) -> Result<ValidatorProof<DcloudContext>, Self::Error> {
        let r: RawProof = borsh::from_slice(&bytes)?;
        Ok(ValidatorProof::new(r.public_key, r.peer_id, r.signature))
    }

    fn encode(&self, p: &ValidatorProof<DcloudContext>) -> Result<Bytes, Self::Error> {
        enc(&RawProof {
            public_key: p.public_key.clone(),
            peer_id: p.peer_id.clone(),
            signature: p.signature,
        })
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use malachitebft_app_channel::app::streaming::StreamId;

    #[test]
    fn parts_roundtrip_and_garbage_is_an_error() {
        let part = ProposalPart::Init {
            height: Height(7),
            round: Round::new(1),
            valid_round: Round::Nil,
            proposer: Address([3; 20]),
        };
        let msg = StreamMessage::new(
            StreamId::new(Bytes::from_static(b"s")),
            0,
            malachitebft_app_channel::app::engine::util::streaming::StreamContent::Data(part),
        );
        let b = Codec::<StreamMessage<ProposalPart>>::encode(&BorshCodec, &msg).unwrap();
        let back: StreamMessage<ProposalPart> = BorshCodec.decode(b.clone()).unwrap();
        assert_eq!(back, msg);
        let mut junk = b.to_vec();
        junk.push(1);
        assert!(
            Codec::<StreamMessage<ProposalPart>>::decode(&BorshCodec, Bytes::from(junk)).is_err()
        );
        assert!(Codec::<SignedConsensusMsg<DcloudContext>>::decode(
            &BorshCodec,
            Bytes::from_static(&[9, 9, 9])
        )
        .is_err());
    }
}
