def clusters(): pass
