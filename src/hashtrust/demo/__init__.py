"""The main job (`make demo`): ``run`` drives the steps, ``context`` holds the cast and what every
step works with, ``vault`` plays the hashrate-vault term, ``plots`` draws the report's figures."""
