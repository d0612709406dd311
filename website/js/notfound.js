// The 404 page needs nothing beyond common.js (navigation and the address look-up).
