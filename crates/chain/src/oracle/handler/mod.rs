//! The oracle's one message: `MsgSubmitPrice` ([`submit_price`]).

pub mod submit_price;
