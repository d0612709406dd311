console.log('headframe');
