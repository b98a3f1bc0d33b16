-- A database written by load with schema version 1 (animewiki-import 0.1.0,
-- the sample wiki), as sqlite3 .dump gives it. t-load upgrades it in place.
PRAGMA user_version=1;
PRAGMA foreign_keys=OFF;
BEGIN TRANSACTION;
CREATE TABLE works (
  -- one row per work (movie, series, OVA, episode); work_id is the site's TYPE-ID
  work_id TEXT PRIMARY KEY,     -- '12-1401'
  title TEXT,                   -- display title (the page's h1)
  title_native TEXT,            -- Japanese-script title, if the page gives one
  kind TEXT,                    -- Movie, Series, OVA, Episode...
  rating TEXT,
  runtime_min INTEGER,          -- whole minutes; per episode for a series
  runtime_raw TEXT,             -- what the page said
  episodes INTEGER,
  summary TEXT,                 -- the one-line deck
  description TEXT,             -- the long text
  url TEXT,                     -- page the work was read from
  gone INTEGER NOT NULL DEFAULT 0, -- 1 when the page now answers 404/410
  record_sha256 TEXT            -- hash of the normalized record (incremental loads)
);
INSERT INTO works VALUES('12-1200','Cowboy Bebop','カウボーイビバップ','Series','TV-14',24,'24 mins per episode',26,'In 2071 two bounty hunters, a con artist, a hacker and a data dog drift across the solar system one job at a time.','Produced by Sunrise and directed by Shinichiro Watanabe, the series opens with Asteroid Blues. Its jazz score became as famous as the show.','http://127.0.0.1:42653/cowboy-bebop/12-1200/',0,'27811ebb0309caf945207be8d74ae2183f2cf360f3f0ce1c563bec5fdb2e876a');
INSERT INTO works VALUES('12-1302','Akira','アキラ','Movie','R',124,'2 hr. 4 min.',NULL,'Thirty-one years after a blast levelled Tokyo, a biker gang leader watches his oldest friend turn into something the army cannot control.','Katsuhiro Otomo adapted his own manga before it had finished running, compressing it into a two-hour chase through Neo-Tokyo. Over a hundred and fifty thousand cels were painted for it. Several of its animators went on to the anthologies Robot Carnival and Memories.','http://127.0.0.1:42653/akira/12-1302/',0,'6f382ac3482f9b0013faffe2cdd0354f42072235bc6b8704bbe6f5ab8b1ec8cb');
INSERT INTO works VALUES('12-1380','Robot Carnival','ロボットカーニバル','OVA','PG-13',91,'91 mins',NULL,'Nine short films about robots — from a lonely inventor’s workshop to a duel in Meiji-era Tokyo — bookended by a carnival that flattens everything in its path.','An anthology that gave a generation of key animators their first chance to direct. Its première on video came a year before Akira, and several of its directors returned for Memories.','http://127.0.0.1:42653/robot-carnival/12-1380/',0,'840541e7c2df5efd8446a00cb268dca44c139ff13c42d8dcdf846f180b982f9e');
INSERT INTO works VALUES('12-1392','Neo-Tokyo','迷宮物語','Movie',NULL,50,'50 mins',NULL,'Three shorts by Rintaro, Yoshiaki Kawajiri and Katsuhiro Otomo: a girl lost in a mirror maze, a racer who cannot stop, and a salaryman sent to halt a construction robot.','Released in Japan as Manie-Manie: Meikyū Monogatari. The wiki page used that title until it was renamed.','http://127.0.0.1:42653/neo-tokyo/12-1392/',0,'66be8f76b308a4dd08febd6c4f113098e4c4e2dc4de3f6974126436d5fa155a4');
INSERT INTO works VALUES('12-1401','Memories','メモリーズ','Movie','PG-13',113,'113 (mins)',NULL,'Three short films produced under Katsuhiro Otomo: a derelict space opera, a chemical-weapon farce and a town that lives to fire its guns.','Three directors, three tones. Magnetic Rose, directed by Kōji Morimoto from a script by Satoshi Kon, sends a salvage crew into the decaying memories of a dead opera singer. Stink Bomb turns a lab assistant''s cold medicine into a national emergency, and Cannon Fodder, Otomo''s own segment, is staged as one long tracking shot through a town at war with an enemy nobody has seen. The film continues the omnibus tradition of Robot Carnival and Neo-Tokyo, and arrived seven years after Akira. Morimoto later directed the short "Beyond" for The Animatrix.','http://127.0.0.1:42653/memories/12-1401/',0,'85488d418e46e461954d39ce0af16e14a4f13bbe66c77012de6840e73dcaee2b');
INSERT INTO works VALUES('12-1511','Slayers','スレイヤーズ','Series','TV-PG',24,'24 min.',26,'A teenage sorceress with a bottomless appetite and a swordsman with a bottomless head blunder into a plot to revive the Demon Lord.','The first television series adapted from Hajime Kanzaka''s light novels, directed by Takashi Watanabe. Megumi Hayashibara voices Lina and sings the opening theme.','http://127.0.0.1:42653/slayers/12-1511/',0,'afe1731512232124c9b86d97265ce3e7b0000c8c4278307fc132d3ca0d2b0ba0');
INSERT INTO works VALUES('12-1655','The Wonderful Adventures of Nils','ニルスのふしぎな旅','Series',NULL,25,'25 mins',52,'Shrunk by an elf he mistreated, a lazy farm boy rides a goose across Sweden and learns to listen.','Based on Selma Lagerlöf’s novel Nils Holgerssons underbara resa genom Sverige. The series was widely dubbed in Europe; in France it was titled Le Merveilleux Voyage de Nils Holgersson au pays des oies sauvages.','http://127.0.0.1:42653/the-wonderful-adventures-of-nils/12-1655/',0,'87672d5878b48cccb54e8c66fc5434502b17ee110d9a2c1fd0ea77af75abcc10');
INSERT INTO works VALUES('12-2101','Asteroid Blues',NULL,'Episode',NULL,24,'approx. 24 minutes',NULL,'Spike and Jet chase a drug runner to the Tijuana colony on Mars.','The first episode of Cowboy Bebop.','http://127.0.0.1:42653/asteroid-blues/12-2101/',0,'17c5cbc4c2d4e64516d77684daf2abfc1a8566aea0ac45310c636a0edd2bbffc');
CREATE TABLE work_titles (
  -- one row per distinct title of a work (case, spacing and punctuation variants are one)
  work_id TEXT NOT NULL REFERENCES works(work_id) ON DELETE CASCADE DEFERRABLE INITIALLY DEFERRED,
  title TEXT NOT NULL,
  lang TEXT,                    -- 'en', 'ja' (from the script)
  source TEXT NOT NULL,         -- main, native, release, alias
  PRIMARY KEY (work_id, title)
);
INSERT INTO work_titles VALUES('12-1200','Cowboy Bebop','en','main');
INSERT INTO work_titles VALUES('12-1200','カウボーイビバップ','ja','native');
INSERT INTO work_titles VALUES('12-1200','Kaubōi Bibappu','en','alias');
INSERT INTO work_titles VALUES('12-1302','Akira','en','main');
INSERT INTO work_titles VALUES('12-1302','アキラ','ja','native');
INSERT INTO work_titles VALUES('12-1302','Akira (Special Edition)','en','release');
INSERT INTO work_titles VALUES('12-1380','Robot Carnival','en','main');
INSERT INTO work_titles VALUES('12-1380','ロボットカーニバル','ja','native');
INSERT INTO work_titles VALUES('12-1380','Robo Carnival','en','alias');
INSERT INTO work_titles VALUES('12-1392','Neo-Tokyo','en','main');
INSERT INTO work_titles VALUES('12-1392','迷宮物語','ja','native');
INSERT INTO work_titles VALUES('12-1392','Manie-Manie: Meikyū Monogatari','en','alias');
INSERT INTO work_titles VALUES('12-1392','Labyrinth Tales','en','alias');
INSERT INTO work_titles VALUES('12-1401','Memories','en','main');
INSERT INTO work_titles VALUES('12-1401','メモリーズ','ja','native');
INSERT INTO work_titles VALUES('12-1401','Katsuhiro Otomo''s Memories','en','alias');
INSERT INTO work_titles VALUES('12-1401','Magnetic Rose','en','alias');
INSERT INTO work_titles VALUES('12-1511','Slayers','en','main');
INSERT INTO work_titles VALUES('12-1511','スレイヤーズ','ja','native');
INSERT INTO work_titles VALUES('12-1511','The Slayers','en','release');
INSERT INTO work_titles VALUES('12-1655','The Wonderful Adventures of Nils','en','main');
INSERT INTO work_titles VALUES('12-1655','ニルスのふしぎな旅','ja','native');
INSERT INTO work_titles VALUES('12-1655','Nils Holgersson','en','alias');
INSERT INTO work_titles VALUES('12-1655','Nils no Fushigi na Tabi','en','alias');
INSERT INTO work_titles VALUES('12-1655','Nils Holgersson (série animée)','en','alias');
INSERT INTO work_titles VALUES('12-2101','Asteroid Blues','en','main');
CREATE TABLE releases (
  -- one row per Name / Release Date pair of a work page, in page order (seq)
  work_id TEXT NOT NULL REFERENCES works(work_id) ON DELETE CASCADE DEFERRABLE INITIALLY DEFERRED,
  seq INTEGER NOT NULL,
  title TEXT,
  lang TEXT,
  region TEXT,                  -- JP for a Japanese-script title, US for Latin script
  region_inferred INTEGER NOT NULL DEFAULT 1, -- 1: region inferred from the script
  date TEXT,                    -- ISO 8601 at the source's precision: 1995-12-23, 2009-03, 2009
  end_date TEXT,                -- end of a range, else NULL
  date_raw TEXT,                -- what the page said
  PRIMARY KEY (work_id, seq)
);
INSERT INTO releases VALUES('12-1200',1,'Cowboy Bebop','en','US',1,'2001',NULL,'2001');
INSERT INTO releases VALUES('12-1200',2,'カウボーイビバップ','ja','JP',1,'1998-10-24','1999-04-24','Oct. 24, 1998 - Apr. 24, 1999');
INSERT INTO releases VALUES('12-1302',1,'アキラ','ja','JP',1,'1988-07-16',NULL,'1988-07-16');
INSERT INTO releases VALUES('12-1302',2,'Akira','en','US',1,'1989-12-25',NULL,'December 25, 1989');
INSERT INTO releases VALUES('12-1302',3,'Akira (Special Edition)','en','US',1,'2001-03',NULL,'March 2001');
INSERT INTO releases VALUES('12-1380',1,'ロボットカーニバル','ja','JP',1,'1987-07-21',NULL,'21 July 1987');
INSERT INTO releases VALUES('12-1401',1,'Memories','en','US',1,'2004-02-24',NULL,'Feb. 24, 2004');
INSERT INTO releases VALUES('12-1401',2,'メモリーズ','ja','JP',1,'1995-12-23',NULL,'1995年12月23日');
INSERT INTO releases VALUES('12-1511',1,'スレイヤーズ','ja','JP',1,'1995-04-07','1995-09-29','Apr. 7, 1995 - Sep. 29, 1995');
INSERT INTO releases VALUES('12-1511',2,'Slayers','en','US',1,NULL,NULL,'Unknown');
INSERT INTO releases VALUES('12-1511',3,'The Slayers','en','US',1,'2004-02-24',NULL,'2004/02/24');
INSERT INTO releases VALUES('12-1655',1,'ニルスのふしぎな旅','ja','JP',1,'1980-01-08','1981-03-17','Jan. 8, 1980 - Mar. 17, 1981');
INSERT INTO releases VALUES('12-1655',2,'The Wonderful Adventures of Nils','en','US',1,NULL,NULL,'TBA');
INSERT INTO releases VALUES('12-2101',1,'Asteroid Blues','en','US',1,'2001-09-02',NULL,'Sept. 2, 2001');
CREATE TABLE people (
  -- one row per person, deduplicated by site id; x-... ids are the project's own
  -- for people credited without a link
  person_id TEXT PRIMARY KEY,   -- '26-1190' or 'x-<hash of the name key>'
  name TEXT,
  name_native TEXT,
  birth_date TEXT,              -- ISO 8601 at the source's precision
  birth_raw TEXT,
  death_date TEXT,
  death_raw TEXT,
  gender TEXT,
  hometown TEXT,
  website TEXT,
  url TEXT,                     -- the person's page, NULL if it was never fetched
  gone INTEGER NOT NULL DEFAULT 0,
  record_sha256 TEXT
);
INSERT INTO people VALUES('x-39e22354fa72','Jun Miyake',NULL,NULL,NULL,NULL,NULL,NULL,NULL,NULL,NULL,0,'c3ba65fd08fdb7d34c8148cf5d4ae07d09d8f316bdb2362da99fd246693942ef');
INSERT INTO people VALUES('26-1021','Katsuhiro Otomo','大友克洋','1954-04-14','April 14, 1954',NULL,NULL,'Male','Hasama, Miyagi, Japan',NULL,'http://127.0.0.1:42653/katsuhiro-otomo/26-1021/',0,'f8cbf1b152c138b54a981d051e100f2cf52dc902511f3d694f9f5cb9e2473d74');
INSERT INTO people VALUES('26-1102','Satoshi Kon','今 敏','1963-10-12','12 October 1963','2010-08-24','August 24, 2010','Male','Sapporo, Hokkaidō, Japan','http://konstone.s-kon.net/','http://127.0.0.1:42653/satoshi-kon/26-1102/',0,'c8046d75dc0265351ca0c8c0e5c84c2aac7b2ee21b915bc7cdf7352c8d0d6f0c');
INSERT INTO people VALUES('26-1187','Yoko Kanno','菅野よう子','1963-03-18','1963-03-18',NULL,NULL,'Female','Sendai, Miyagi, Japan',NULL,'http://127.0.0.1:42653/yoko-kanno/26-1187/',0,'22c2c5b2e5acf594a225eff02b075a7ac9da25da0251b62d1f024c83a19b1a64');
INSERT INTO people VALUES('26-1190','Koji Morimoto','森本 晃司','1959-12-26','Dec. 26, 1959',NULL,NULL,'Male','Wakayama, Japan','http://www.studio4c.co.jp/','http://127.0.0.1:42653/koji-morimoto/26-1190/',0,'bcc98d402e0a9aee949836117d2117416933a7ce25aaaaf06aabe2b74eafa1ce');
INSERT INTO people VALUES('26-1401','Shinichiro Watanabe','渡辺信一郎','1965-05-24','May 24, 1965',NULL,NULL,'Male','Kyoto, Japan',NULL,'http://127.0.0.1:42653/shinichiro-watanabe/26-1401/',0,'255e5a814a455deabdc9cbceb6398b1c4d0ded31adf2546d3f47e1f6f2b1661d');
INSERT INTO people VALUES('26-1733','Takashi Watanabe','渡部 高志',NULL,'Unknown',NULL,NULL,'Male',NULL,NULL,'http://127.0.0.1:42653/takashi-watanabe/26-1733/',0,'7af6c879a509c601113ea7251a273a50be4f0e688d3cad2669cadf07b88e09a7');
INSERT INTO people VALUES('26-2001','Joe Hisaishi','久石 譲','1950-12-06','1950年12月6日',NULL,NULL,'Male','Nakano, Nagano, Japan','http://joehisaishi.com/','http://127.0.0.1:42653/joe-hisaishi/26-2001/',0,'3c9f2dedf6c104f35e2c58b5d31ff902fcb808b71c5b2b091eee3f4bca6039c1');
INSERT INTO people VALUES('26-2002','Rintaro','りんたろう','1941-01-22','January 22, 1941',NULL,NULL,'Male','Tokyo, Japan',NULL,'http://127.0.0.1:42653/rintaro/26-2002/',0,'2ccd18bfc6b8bb896f03998838da17f7178bbe98b5d72cb6a9680542aab9835f');
INSERT INTO people VALUES('26-2003','Yoshiaki Kawajiri','川尻善昭','1950-11-18','Nov. 18, 1950',NULL,NULL,'Male','Yokohama, Kanagawa, Japan',NULL,'http://127.0.0.1:42653/yoshiaki-kawajiri/26-2003/',0,'941c8af29379e6acc98e939ab0ada53edf3903ba61fccbbb96b093790cc05d25');
INSERT INTO people VALUES('26-3001','Kōichi Yamadera','山寺 宏一','1961-06-17','1961/06/17',NULL,NULL,'Male','Shiogama, Miyagi, Japan',NULL,'http://127.0.0.1:42653/koichi-yamadera/26-3001/',0,'14d4b705829049e4c43dd74c0825fa16e1528d694be794b775665b805adaf114');
INSERT INTO people VALUES('26-3002','Megumi Hayashibara','林原めぐみ','1967-03-30','03/30/1967',NULL,NULL,'Female','Tokyo, Japan',NULL,'http://127.0.0.1:42653/megumi-hayashibara/26-3002/',0,'a908e87a1936eea70697b8c0e6b84cf4c2d844ec27c700b8e64c56d9e3105e23');
INSERT INTO people VALUES('26-3003','Steve Blum',NULL,'1960-04-28','April 28th, 1960',NULL,NULL,'Male','Santa Monica, California, USA',NULL,'http://127.0.0.1:42653/steve-blum/26-3003/',0,'e5150aa6704124cee74fc355bd07aa835141fc730a7c9f23b8e01ad1f666d1dd');
INSERT INTO people VALUES('26-3342','Tensai Okamura','岡村天斎',NULL,NULL,NULL,NULL,'Male',NULL,NULL,'http://127.0.0.1:42653/tensai-okamura/26-3342/',0,'fb5e480fd965a97ee93862c93fe9a11081f8d6d46698319ef512e1882ce6e082');
INSERT INTO people VALUES('26-4001','Toshihiro Kawamoto',NULL,NULL,NULL,NULL,NULL,NULL,NULL,NULL,NULL,1,'b5cb7c3b3c473a588e9191d249b350e61b4a2e63ce05ceabcc552125ff070e57');
INSERT INTO people VALUES('26-4004','Takashi Nakamura','なかむらたかし',NULL,'?',NULL,NULL,'Male',NULL,NULL,'http://127.0.0.1:42653/takashi-nakamura/26-4004/',0,'ca2f21b355ead536609cc844a8975facb8ffafe72f7cdcdc0e3246f61afe8076');
INSERT INTO people VALUES('26-4005','Unshō Ishizuka',NULL,NULL,NULL,NULL,NULL,NULL,NULL,NULL,NULL,1,'f365a29cf9198a592899b1e41c0069cbd229e5d184a9a7d30fa0f5e1200712e3');
INSERT INTO people VALUES('26-4006','Beau Billingslea',NULL,NULL,NULL,NULL,NULL,NULL,NULL,NULL,NULL,1,'810660a1d1a2fbf9d646f43f659fde4054344f05b7941fb5574a5c0dc9b78c70');
INSERT INTO people VALUES('26-4007','Wendee Lee',NULL,NULL,NULL,NULL,NULL,NULL,NULL,NULL,NULL,1,'6afd31a262e6d0114f00ce149dc41c243d89944e0796e41b98a2df49f80f3974');
INSERT INTO people VALUES('26-4008','Lisa Ortiz',NULL,NULL,NULL,NULL,NULL,NULL,NULL,NULL,NULL,1,'7fbe39695009b812e6d6687d276cc018fe7736d8ab4097977035e3fcea120fcb');
INSERT INTO people VALUES('26-4009','Yasunori Matsumoto',NULL,NULL,NULL,NULL,NULL,NULL,NULL,NULL,NULL,1,'a7e37483ade2f55ef4b8326ded5c14ec5f9682beb91b0260b8c0cc2315aef63d');
INSERT INTO people VALUES('26-4013','Hisayuki Toriumi',NULL,NULL,NULL,NULL,NULL,NULL,NULL,NULL,NULL,1,'83006fa577268b75c5fe74bf28325fb94e0b4c2c9968837508359ead2a1bed38');
INSERT INTO people VALUES('26-4014','Selma Lagerlöf',NULL,NULL,NULL,NULL,NULL,NULL,NULL,NULL,NULL,1,'85623f877177ee79ecaeae5690eb672bf9010ee45a0ce2ad258ab54fc2cadd0f');
INSERT INTO people VALUES('26-8890','Takashi Watanabe','渡辺 隆','1955','1955',NULL,NULL,'Male',NULL,NULL,'http://127.0.0.1:42653/takashi-watanabe/26-8890/',0,'7286f2435c7fa90cd2fb997d4fc2abe1a051785b9403b3a254f99483d40a6a7d');
CREATE TABLE person_names (
  -- one row per distinct name of a person
  person_id TEXT NOT NULL REFERENCES people(person_id) ON DELETE CASCADE DEFERRABLE INITIALLY DEFERRED,
  name TEXT NOT NULL,
  source TEXT NOT NULL,         -- main, native, alias, credited
  PRIMARY KEY (person_id, name)
);
INSERT INTO person_names VALUES('x-39e22354fa72','Jun Miyake','main');
INSERT INTO person_names VALUES('26-1021','Katsuhiro Otomo','main');
INSERT INTO person_names VALUES('26-1021','大友克洋','native');
INSERT INTO person_names VALUES('26-1021','Katsuhiro Ōtomo','alias');
INSERT INTO person_names VALUES('26-1021','Ohtomo Katsuhiro','alias');
INSERT INTO person_names VALUES('26-1021','Ootomo Katsuhiro','alias');
INSERT INTO person_names VALUES('26-1021','大友 克洋','alias');
INSERT INTO person_names VALUES('26-1021','Otomo Katsuhiro','credited');
INSERT INTO person_names VALUES('26-1102','Satoshi Kon','main');
INSERT INTO person_names VALUES('26-1102','今 敏','native');
INSERT INTO person_names VALUES('26-1102','Kon Satoshi','alias');
INSERT INTO person_names VALUES('26-1102','今敏','alias');
INSERT INTO person_names VALUES('26-1187','Yoko Kanno','main');
INSERT INTO person_names VALUES('26-1187','菅野よう子','native');
INSERT INTO person_names VALUES('26-1187','Yōko Kanno','alias');
INSERT INTO person_names VALUES('26-1187','Yooko Kanno','alias');
INSERT INTO person_names VALUES('26-1187','Kanno Yoko','alias');
INSERT INTO person_names VALUES('26-1187','菅野 よう子','alias');
INSERT INTO person_names VALUES('26-1190','Koji Morimoto','main');
INSERT INTO person_names VALUES('26-1190','森本 晃司','native');
INSERT INTO person_names VALUES('26-1190','Kōji Morimoto','alias');
INSERT INTO person_names VALUES('26-1190','Morimoto Kōji','alias');
INSERT INTO person_names VALUES('26-1190','Kouji Morimoto','alias');
INSERT INTO person_names VALUES('26-1190','MORIMOTO Koji','alias');
INSERT INTO person_names VALUES('26-1190','森本晃司','alias');
INSERT INTO person_names VALUES('26-1190','Morimoto Koji','credited');
INSERT INTO person_names VALUES('26-1401','Shinichiro Watanabe','main');
INSERT INTO person_names VALUES('26-1401','渡辺信一郎','native');
INSERT INTO person_names VALUES('26-1401','Shin''ichirō Watanabe','alias');
INSERT INTO person_names VALUES('26-1401','Shinichirou Watanabe','alias');
INSERT INTO person_names VALUES('26-1401','Watanabe Shinichiro','alias');
INSERT INTO person_names VALUES('26-1401','渡辺 信一郎','alias');
INSERT INTO person_names VALUES('26-1733','Takashi Watanabe','main');
INSERT INTO person_names VALUES('26-1733','渡部 高志','native');
INSERT INTO person_names VALUES('26-1733','Watanabe Takashi','alias');
INSERT INTO person_names VALUES('26-1733','渡部高志','alias');
INSERT INTO person_names VALUES('26-2001','Joe Hisaishi','main');
INSERT INTO person_names VALUES('26-2001','久石 譲','native');
INSERT INTO person_names VALUES('26-2001','Hisaishi Joe','alias');
INSERT INTO person_names VALUES('26-2001','Jō Hisaishi','alias');
INSERT INTO person_names VALUES('26-2001','Mamoru Fujisawa','alias');
INSERT INTO person_names VALUES('26-2001','久石譲','alias');
INSERT INTO person_names VALUES('26-2002','Rintaro','main');
INSERT INTO person_names VALUES('26-2002','りんたろう','native');
INSERT INTO person_names VALUES('26-2002','Shigeyuki Hayashi','alias');
INSERT INTO person_names VALUES('26-2002','林 重行','alias');
INSERT INTO person_names VALUES('26-2002','Rintarō','alias');
INSERT INTO person_names VALUES('26-2002','RINTARO','alias');
INSERT INTO person_names VALUES('26-2003','Yoshiaki Kawajiri','main');
INSERT INTO person_names VALUES('26-2003','川尻善昭','native');
INSERT INTO person_names VALUES('26-2003','Kawajiri Yoshiaki','alias');
INSERT INTO person_names VALUES('26-2003','川尻 善昭','alias');
INSERT INTO person_names VALUES('26-3001','Kōichi Yamadera','main');
INSERT INTO person_names VALUES('26-3001','山寺 宏一','native');
INSERT INTO person_names VALUES('26-3001','Koichi Yamadera','alias');
INSERT INTO person_names VALUES('26-3001','Kouichi Yamadera','alias');
INSERT INTO person_names VALUES('26-3001','Yamadera Kōichi','alias');
INSERT INTO person_names VALUES('26-3001','山寺宏一','alias');
INSERT INTO person_names VALUES('26-3002','Megumi Hayashibara','main');
INSERT INTO person_names VALUES('26-3002','林原めぐみ','native');
INSERT INTO person_names VALUES('26-3002','Hayashibara Megumi','alias');
INSERT INTO person_names VALUES('26-3002','林原 めぐみ','alias');
INSERT INTO person_names VALUES('26-3003','Steve Blum','main');
INSERT INTO person_names VALUES('26-3003','Steven Blum','alias');
INSERT INTO person_names VALUES('26-3003','Steven Jay Blum','alias');
INSERT INTO person_names VALUES('26-3003','David Lucas','alias');
INSERT INTO person_names VALUES('26-3342','Tensai Okamura','main');
INSERT INTO person_names VALUES('26-3342','岡村天斎','native');
INSERT INTO person_names VALUES('26-3342','Okamura Tensai','alias');
INSERT INTO person_names VALUES('26-3342','岡村 天斎','alias');
INSERT INTO person_names VALUES('26-4001','Toshihiro Kawamoto','main');
INSERT INTO person_names VALUES('26-4004','Takashi Nakamura','main');
INSERT INTO person_names VALUES('26-4004','なかむらたかし','native');
INSERT INTO person_names VALUES('26-4004','Nakamura Takashi','alias');
INSERT INTO person_names VALUES('26-4004','なかむら たかし','alias');
INSERT INTO person_names VALUES('26-4005','Unshō Ishizuka','main');
INSERT INTO person_names VALUES('26-4006','Beau Billingslea','main');
INSERT INTO person_names VALUES('26-4007','Wendee Lee','main');
INSERT INTO person_names VALUES('26-4008','Lisa Ortiz','main');
INSERT INTO person_names VALUES('26-4009','Yasunori Matsumoto','main');
INSERT INTO person_names VALUES('26-4013','Hisayuki Toriumi','main');
INSERT INTO person_names VALUES('26-4014','Selma Lagerlöf','main');
INSERT INTO person_names VALUES('26-8890','Takashi Watanabe','main');
INSERT INTO person_names VALUES('26-8890','渡辺 隆','native');
INSERT INTO person_names VALUES('26-8890','Watanabe Takashi','alias');
CREATE TABLE credits (
  -- one row per work, person and role (a cell naming two roles is two rows)
  work_id TEXT NOT NULL REFERENCES works(work_id) ON DELETE CASCADE DEFERRABLE INITIALLY DEFERRED,
  person_id TEXT NOT NULL REFERENCES people(person_id) DEFERRABLE INITIALLY DEFERRED,
  role TEXT NOT NULL,           -- DATABASE.md role vocabulary; 'other' if unmapped
  role_raw TEXT,                -- what the page said
  note TEXT,
  PRIMARY KEY (work_id, person_id, role)
);
INSERT INTO credits VALUES('12-1200','26-1401','director','director',NULL);
INSERT INTO credits VALUES('12-1200','26-4001','character_design','Character Design',NULL);
INSERT INTO credits VALUES('12-1200','26-1187','music','Music',NULL);
INSERT INTO credits VALUES('12-1302','26-1021','director','Director',NULL);
INSERT INTO credits VALUES('12-1302','26-1021','screenplay','Screenplay','With Izo Hashimoto.');
INSERT INTO credits VALUES('12-1302','26-1190','animation_director','Animation Director',NULL);
INSERT INTO credits VALUES('12-1302','26-4004','character_design','Character Artist/Designer',NULL);
INSERT INTO credits VALUES('12-1302','26-4004','key_animation','Key Animator','Also chief animation director.');
INSERT INTO credits VALUES('12-1380','26-1021','director','Director','Opening and ending.');
INSERT INTO credits VALUES('12-1380','26-1190','director','Director','“Franken’s Gears” segment.');
INSERT INTO credits VALUES('12-1380','26-4004','director','Director','“Nightmare” segment.');
INSERT INTO credits VALUES('12-1380','26-2001','music','Music',NULL);
INSERT INTO credits VALUES('12-1392','26-2002','director','Director','“Labyrinth” segment.');
INSERT INTO credits VALUES('12-1392','26-2003','director','Director','“The Running Man” segment.');
INSERT INTO credits VALUES('12-1392','26-2003','screenplay','Writer','“The Running Man” segment.');
INSERT INTO credits VALUES('12-1392','26-1021','director','Director','“Construction Cancellation Order” segment.');
INSERT INTO credits VALUES('12-1401','26-1190','director','Director','Magnetic Rose segment.');
INSERT INTO credits VALUES('12-1401','26-3342','director','Directed by','Stink Bomb segment.');
INSERT INTO credits VALUES('12-1401','26-1021','director','Director','Cannon Fodder segment.');
INSERT INTO credits VALUES('12-1401','26-1021','screenplay','Screenplay','Cannon Fodder segment.');
INSERT INTO credits VALUES('12-1401','26-1021','original_creator','Original Story',NULL);
INSERT INTO credits VALUES('12-1401','26-1102','screenplay','Screenplay','Magnetic Rose segment.');
INSERT INTO credits VALUES('12-1401','26-1187','music','Music','Magnetic Rose segment.');
INSERT INTO credits VALUES('12-1401','x-39e22354fa72','music','Composer','Stink Bomb segment.');
INSERT INTO credits VALUES('12-1511','26-1733','director','Director',NULL);
INSERT INTO credits VALUES('12-1511','26-1733','storyboard','Storyboard','Episodes 1, 13 and 26.');
INSERT INTO credits VALUES('12-1511','26-3002','theme_song','Theme Song Performance',NULL);
INSERT INTO credits VALUES('12-1655','26-4013','director','Director',NULL);
INSERT INTO credits VALUES('12-1655','26-4014','original_creator','Original Story','Novel published 1906–1907.');
INSERT INTO credits VALUES('12-1655','26-8890','key_animation','Key Animation',NULL);
INSERT INTO credits VALUES('12-2101','26-1401','director','Director',NULL);
INSERT INTO credits VALUES('12-2101','26-1187','music','Music',NULL);
CREATE TABLE IF NOT EXISTS "cast" (
  -- one row per voice actor of a character in one language
  work_id TEXT NOT NULL REFERENCES works(work_id) ON DELETE CASCADE DEFERRABLE INITIALLY DEFERRED,
  character_id TEXT,            -- '18-40211', NULL for an unlinked character
  character_name TEXT,
  person_id TEXT NOT NULL REFERENCES people(person_id) DEFERRABLE INITIALLY DEFERRED,
  lang TEXT                     -- 'ja', 'en', ...
);
INSERT INTO "cast" VALUES('12-1200','18-40100','Spike Spiegel','26-3001','ja');
INSERT INTO "cast" VALUES('12-1200','18-40100','Spike Spiegel','26-3003','en');
INSERT INTO "cast" VALUES('12-1200','18-40101','Jet Black','26-4005','ja');
INSERT INTO "cast" VALUES('12-1200','18-40101','Jet Black','26-4006','en');
INSERT INTO "cast" VALUES('12-1200','18-40102','Faye Valentine','26-3002','ja');
INSERT INTO "cast" VALUES('12-1200','18-40102','Faye Valentine','26-4007','en');
INSERT INTO "cast" VALUES('12-1511','18-40300','Lina Inverse','26-3002','ja');
INSERT INTO "cast" VALUES('12-1511','18-40300','Lina Inverse','26-4008','en');
INSERT INTO "cast" VALUES('12-1511','18-40301','Gourry Gabriev','26-4009','ja');
CREATE TABLE work_genres (
  work_id TEXT NOT NULL REFERENCES works(work_id) ON DELETE CASCADE DEFERRABLE INITIALLY DEFERRED,
  kind TEXT NOT NULL,           -- genre or theme
  name TEXT NOT NULL,
  PRIMARY KEY (work_id, kind, name)
);
INSERT INTO work_genres VALUES('12-1200','genre','Action');
INSERT INTO work_genres VALUES('12-1200','genre','Science Fiction');
INSERT INTO work_genres VALUES('12-1200','genre','Drama');
INSERT INTO work_genres VALUES('12-1200','theme','Space');
INSERT INTO work_genres VALUES('12-1200','theme','Bounty Hunters');
INSERT INTO work_genres VALUES('12-1302','genre','Action');
INSERT INTO work_genres VALUES('12-1302','genre','Science Fiction');
INSERT INTO work_genres VALUES('12-1302','theme','Cyberpunk');
INSERT INTO work_genres VALUES('12-1302','theme','Post-Apocalyptic');
INSERT INTO work_genres VALUES('12-1380','genre','Science Fiction');
INSERT INTO work_genres VALUES('12-1401','theme','Anthology');
INSERT INTO work_genres VALUES('12-1401','theme','Space');
INSERT INTO work_genres VALUES('12-1511','genre','Comedy');
INSERT INTO work_genres VALUES('12-1511','genre','Fantasy');
INSERT INTO work_genres VALUES('12-1511','genre','Adventure');
INSERT INTO work_genres VALUES('12-1511','theme','Magic');
INSERT INTO work_genres VALUES('12-1511','theme','Sword & Sorcery');
INSERT INTO work_genres VALUES('12-1655','genre','Adventure');
INSERT INTO work_genres VALUES('12-1655','genre','Fantasy');
CREATE TABLE sources (
  -- one row per page the data came from
  entity_id TEXT PRIMARY KEY,   -- '12-1401'
  url TEXT NOT NULL,
  http_status INTEGER,
  fetched_at TEXT,              -- ISO 8601 UTC
  sha256 TEXT                   -- of the page body as fetched
);
INSERT INTO sources VALUES('12-1200','http://127.0.0.1:42653/cowboy-bebop/12-1200/',200,'2026-11-22T03:40:40Z','312ded1fcb82b7ab4d2f482b4b54735d057aecb887f320fdea4fb0e89faace07');
INSERT INTO sources VALUES('12-1302','http://127.0.0.1:42653/akira/12-1302/',200,'2026-11-22T03:40:40Z','2f09768055dcd4d90fa5c1fee116dbe4c72da353ec511aa52d5ec7bace48c58f');
INSERT INTO sources VALUES('12-1380','http://127.0.0.1:42653/robot-carnival/12-1380/',200,'2026-11-22T03:40:41Z','56251c5f92de5466c50024ca2cec6e4e557920f27ac625845aefc579add5ccd1');
INSERT INTO sources VALUES('12-1392','http://127.0.0.1:42653/neo-tokyo/12-1392/',200,'2026-11-22T03:40:41Z','a15870097d310a1c866efe9933d9ea924297f43c7f2d9d73bed8bfc5f446cecf');
INSERT INTO sources VALUES('12-1401','http://127.0.0.1:42653/memories/12-1401/',200,'2026-11-22T03:40:40Z','40ea1d4a8ced1896a27ea8e704e3c9b1a5286243b52788e67513eac1b57b0c09');
INSERT INTO sources VALUES('12-1511','http://127.0.0.1:42653/slayers/12-1511/',200,'2026-11-22T03:40:41Z','60d91fa725d6c64a5200c3b630624cc83f24985e795f9fb6669a72a9087bb1b7');
INSERT INTO sources VALUES('12-1655','http://127.0.0.1:42653/the-wonderful-adventures-of-nils/12-1655/',200,'2026-11-22T03:40:41Z','ff1dda81d307826d24aa5bfd5122d8a2d578858ac90b53c7ca84cc10c7d5a809');
INSERT INTO sources VALUES('12-2101','http://127.0.0.1:42653/asteroid-blues/12-2101/',200,'2026-11-22T03:40:40Z','a3eae15c1aa654372f30881eda2ee53ba26071396a3a31c37ed56cb0992112c1');
INSERT INTO sources VALUES('26-1021','http://127.0.0.1:42653/katsuhiro-otomo/26-1021/',200,'2026-11-22T03:40:40Z','c92bec8514c04aed292a2fe56c241240deaddcb78d464bf1545bab668133574a');
INSERT INTO sources VALUES('26-1102','http://127.0.0.1:42653/satoshi-kon/26-1102/',200,'2026-11-22T03:40:41Z','dac74abf27bbba24db87b25a9a0696c9b7369d54243f07bffe99a21ba2139f0e');
INSERT INTO sources VALUES('26-1187','http://127.0.0.1:42653/yoko-kanno/26-1187/',200,'2026-11-22T03:40:41Z','68e5c58608f08363b3d34f28304e2b2f0dba1e219b653895d9a0d580029a7637');
INSERT INTO sources VALUES('26-1190','http://127.0.0.1:42653/koji-morimoto/26-1190/',200,'2026-11-22T03:40:40Z','b630456a3f4fba7d980754aa1f2efc2e6e0d3db91ff63b023ed9772b2d454504');
INSERT INTO sources VALUES('26-1401','http://127.0.0.1:42653/shinichiro-watanabe/26-1401/',200,'2026-11-22T03:40:41Z','7f98cf19c8ac62fbfdbf9399d343200444ceeb841ab347643dabea35a71c9616');
INSERT INTO sources VALUES('26-1733','http://127.0.0.1:42653/takashi-watanabe/26-1733/',200,'2026-11-22T03:40:42Z','675eae12816772c8a88bfa9fe761f7299872783e8768e15bf23bd04680a65547');
INSERT INTO sources VALUES('26-2001','http://127.0.0.1:42653/joe-hisaishi/26-2001/',200,'2026-11-22T03:40:40Z','6bbdb0c06f8341a4c3a99e92a5343764e149b44512b64061658318715eaca7d7');
INSERT INTO sources VALUES('26-2002','http://127.0.0.1:42653/rintaro/26-2002/',200,'2026-11-22T03:40:41Z','7d3f705c9d20648aa029bccf4e764cbaf7dc92b0ddf62fa78519b25965c195ff');
INSERT INTO sources VALUES('26-2003','http://127.0.0.1:42653/yoshiaki-kawajiri/26-2003/',200,'2026-11-22T03:40:42Z','59a8156bd49b08261c463c56da8f63dcdf0d0afafa74e69150a2ac2f7bfe0e5c');
INSERT INTO sources VALUES('26-3001','http://127.0.0.1:42653/koichi-yamadera/26-3001/',200,'2026-11-22T03:40:40Z','853788848ad62f04efe937fc1c27c91b1fac58f53ba2ba2cf1e65fb4ce1a9860');
INSERT INTO sources VALUES('26-3002','http://127.0.0.1:42653/megumi-hayashibara/26-3002/',200,'2026-11-22T03:40:40Z','6bc040b4008ed18245192c26bd5bf28416476a444a66d2f0d00ca310e499a760');
INSERT INTO sources VALUES('26-3003','http://127.0.0.1:42653/steve-blum/26-3003/',200,'2026-11-22T03:40:41Z','b82a4a4b6dfdcfdf8eb40df47087b0c79af413b77014f3ddc641350a85aa0111');
INSERT INTO sources VALUES('26-3342','http://127.0.0.1:42653/tensai-okamura/26-3342/',200,'2026-11-22T03:40:41Z','a21886acc49555e7ca059aab09cdbd4b893699866ce12fccd0a8f8f062f03723');
INSERT INTO sources VALUES('26-4004','http://127.0.0.1:42653/takashi-nakamura/26-4004/',200,'2026-11-22T03:40:41Z','9713fb59c062c8aa1165ccc476403f57ec1ee4c7e65cf8c9019509c66b78bbd0');
INSERT INTO sources VALUES('26-8890','http://127.0.0.1:42653/takashi-watanabe/26-8890/',200,'2026-11-22T03:40:42Z','8c74855481b2c24e00cca78e91785723b8987ee0a26eae2716720a3b8e189aee');
CREATE INDEX credits_by_person ON credits(person_id, role);
CREATE INDEX credits_by_role ON credits(role);
CREATE UNIQUE INDEX cast_unique ON "cast"(work_id, coalesce(character_id, character_name), person_id, coalesce(lang, ''));
CREATE INDEX cast_by_person ON "cast"(person_id);
COMMIT;
