print("lstm-serve")
