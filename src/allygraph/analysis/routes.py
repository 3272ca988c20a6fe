def explain(): pass
