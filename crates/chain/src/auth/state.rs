//! The auth module's keeper and the binary account encoding. Read side: [`get_account`],
//! [`list_accounts`], [`params`]. Write side: [`set_account`], [`ensure_account`] (the
//! ante handler, bank on first receipt, genesis), [`init_genesis`].

use dcloud_store::{StateRead, StateWrite};
use dcloud_types::AccAddress;

use super::keys::{account_key, address_from_key, ACCOUNT, NEXT_ACCOUNT_NUMBER};
use super::{module_address, Account, AuthGenesis, AuthParams, MODULE_ACCOUNTS, NAME};
use crate::AppError;
use crate::{get_params, set_params};

/// Stored form of an account (the address is the key): version byte 1, account number
/// (u64 BE), sequence (u64 BE), pubkey (len u8 + bytes), module name (len u8 + bytes).
/// Binary rather than JSON because it is read and written by every tx.
fn encode_account(acc: &Account) -> Result<Vec<u8>, AppError> {
    let pk = match &acc.pub_key {
        Some(h) => {
            hex::decode(h).map_err(|_| AppError::InvalidPubKey("pubkey is not hex".into()))?
        }
        None => Vec::new(),
    };
    let module = acc.module.as_deref().unwrap_or("").as_bytes();
    if pk.len() > 255 || module.len() > 255 {
        return Err(AppError::InvalidRequest("account field too long".into()));
    }
    let mut v = Vec::with_capacity(19 + pk.len() + module.len());
    v.push(1);
    v.extend_from_slice(&acc.account_number.to_be_bytes());
    v.extend_from_slice(&acc.sequence.to_be_bytes());
    v.push(pk.len() as u8);
    v.extend_from_slice(&pk);
    v.push(module.len() as u8);
    v.extend_from_slice(module);
    Ok(v)
}

pub(super) fn decode_account(address: &AccAddress, b: &[u8]) -> Result<Account, AppError> {
    let bad = || AppError::ChainState(format!("corrupt account record for {address}"));
    if b.len() < 19 || b[0] != 1 {
        return Err(bad());
    }
    let num = u64::from_be_bytes(b[1..9].try_into().map_err(|_| bad())?);
    let seq = u64::from_be_bytes(b[9..17].try_into().map_err(|_| bad())?);
    let pk_len = b[17] as usize;
    let pk = b.get(18..18 + pk_len).ok_or_else(bad)?;
    let m_len = *b.get(18 + pk_len).ok_or_else(bad)? as usize;
    let m = b.get(19 + pk_len..19 + pk_len + m_len).ok_or_else(bad)?;
    Ok(Account {
        address: address.clone(),
        account_number: num,
        sequence: seq,
        pub_key: (!pk.is_empty()).then(|| hex::encode(pk)),
        module: if m.is_empty() {
            None
        } else {
            Some(String::from_utf8(m.to_vec()).map_err(|_| bad())?)
        },
    })
}

// ---- read side -------------------------------------------------------------------------

/// Reads an account.
pub fn get_account(state: &dyn StateRead, addr: &AccAddress) -> Result<Option<Account>, AppError> {
    match state.get(&account_key(addr))? {
        Some(b) => decode_account(addr, &b).map(Some),
        None => Ok(None),
    }
}

pub(super) fn next_account_number(state: &dyn StateRead) -> Result<u64, AppError> {
    Ok(match state.get(NEXT_ACCOUNT_NUMBER)? {
        Some(b) => u64::from_be_bytes(
            b.try_into().map_err(|_| AppError::ChainState("corrupt next account number".into()))?,
        ),
        None => 0,
    })
}

/// Params.
pub fn params(state: &dyn StateRead) -> Result<AuthParams, AppError> {
    get_params(state, NAME)
}

/// Lists accounts, ordered by key, paginated.
pub fn list_accounts(
    state: &dyn StateRead,
    start_after: Option<&AccAddress>,
    limit: usize,
) -> Result<Vec<Account>, AppError> {
    let after = start_after.map(account_key);
    state
        .prefix_range(&[ACCOUNT], after.as_deref(), limit)?
        .into_iter()
        .map(|(k, v)| decode_account(&address_from_key(&k)?, &v))
        .collect()
}

// ---- write side ------------------------------------------------------------------------

/// Writes an account.
pub fn set_account(state: &mut dyn StateWrite, acc: &Account) -> Result<(), AppError> {
    state.put(account_key(&acc.address), encode_account(acc)?);
    Ok(())
}

/// Creates the account if it does not exist yet; returns it.
pub fn ensure_account(state: &mut dyn StateWrite, addr: &AccAddress) -> Result<Account, AppError> {
    if let Some(a) = get_account(state, addr)? {
        return Ok(a);
    }
    let n = next_account_number(state)?;
    let acc = Account {
        address: addr.clone(),
        account_number: n,
        sequence: 0,
        pub_key: None,
        module: None,
    };
    state.put(NEXT_ACCOUNT_NUMBER.to_vec(), (n + 1).to_be_bytes().to_vec());
    set_account(state, &acc)?;
    Ok(acc)
}

/// Writes genesis state.
pub fn init_genesis(state: &mut dyn StateWrite, g: &AuthGenesis) -> Result<(), AppError> {
    set_params(state, NAME, &g.params)?;
    for (name, _) in MODULE_ACCOUNTS {
        let mut acc = ensure_account(state, &module_address(name))?;
        acc.module = Some((*name).to_string());
        set_account(state, &acc)?;
    }
    for a in &g.accounts {
        let addr: AccAddress =
            a.address.parse().map_err(|e| AppError::InvalidAddress(format!("{e}")))?;
        ensure_account(state, &addr)?;
    }
    Ok(())
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn account_encoding_round_trips() {
        let address = AccAddress::from_bytes(&[6u8; 20]).expect("20 bytes");
        for (pub_key, module) in [(None, None), (Some("02ab".to_string()), Some("gov".to_string()))]
        {
            let acc = Account {
                address: address.clone(),
                account_number: 7,
                sequence: 9,
                pub_key,
                module,
            };
            let b = encode_account(&acc).expect("encodes");
            assert_eq!(b[0], 1);
            assert_eq!(decode_account(&address, &b).ok(), Some(acc));
        }
        assert!(decode_account(&address, &[1, 2, 3]).is_err());
    }
}
