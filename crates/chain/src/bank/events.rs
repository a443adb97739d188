//! The bank module's events (Cosmos SDK names): `coin_spent`, `coin_received`, `transfer`,
//! `coinbase`, `burn`.

use dcloud_types::{AccAddress, Coins, Event};

/// The three events of a transfer: `coin_spent`, `coin_received`, `transfer`.
pub fn transfer(from: &AccAddress, to: &AccAddress, coins: &Coins) -> [Event; 3] {
    [
        Event::new("coin_spent").attr("spender", from).attr("amount", coins),
        Event::new("coin_received").attr("receiver", to).attr("amount", coins),
        Event::new("transfer").attr("recipient", to).attr("sender", from).attr("amount", coins),
    ]
}

/// `coinbase`: `minter` minted `amount`.
pub fn coinbase(minter: &AccAddress, coins: &Coins) -> Event {
    Event::new("coinbase").attr("minter", minter).attr("amount", coins)
}

/// `burn`: `burner` burned `amount`.
pub fn burn(burner: &AccAddress, coins: &Coins) -> Event {
    Event::new("burn").attr("burner", burner).attr("amount", coins)
}
