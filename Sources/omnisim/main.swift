print("omnisim")
