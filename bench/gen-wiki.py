#!/usr/bin/env python3
# -*- coding: utf-8 -*-
"""gen-wiki.py - a synthetic Anime Vice-style wiki, for benchmarks.

Writes a site tree with the markup of tests/site/ (same class names, same
chrome, same file layout), at any size, deterministically, and can mutate it
the way a wiki changes between two crawls.  Python 3.9+, standard library.

Usage:
  gen-wiki.py generate OUT_DIR [--works N] [--people M] [--seed S]
      N works and M people with pages (default 8000 + 12000 = 20,000 entity
      pages), seed S (default 1).  OUT_DIR must not exist or be empty.
  gen-wiki.py mutate OUT_DIR --fraction F [--seed S]
      Changes ~F/2 of the entity pages, adds ~F/4 new ones, deletes ~F/4.
      Files whose content does not change are not rewritten (bytes and mtime
      kept).  Same seed + same starting tree -> same result.

Output tree (URL -> file, as tests/fixture_server.py maps it):
  /slug/12-ID/  (work)            slug/12-ID/index.html
  /slug/26-ID/  (person)          slug/26-ID/index.html
  /anime/, /anime/?page=N         anime/index.html, anime/index@page=N.html
  /people/, /people/?page=N       people/index.html, people/index@page=N.html
  /                               index.html (home page)
  /robots.txt, /sitemap.xml       robots.txt, sitemap.xml
  slug/12-ID/index.html.headers   sidecar headers of windows-1252 pages
  _redirects                      "OLD-PATH NEW-PATH 301" (fixture server)
  nginx-redirects.conf            "location = OLD { return 301 NEW; }"
  nginx-charset.conf              per-page charset of windows-1252 pages
  MANIFEST.tsv                    URL path, TAB, TYPE-ID, TAB, kind (Movie,
                                  Series, OVA, Episode, Person), TAB, sha256
                                  of the file; one line per entity page,
                                  sorted (C locale order)
Characters (18-ID) are linked from cast tables but have no pages (404), and
so do ~20% of the credited people, company links (9-ID) and a few "deleted"
works.

nginx: serve OUT_DIR as root with `charset utf-8;` at server level (so UTF-8
pages say so, like the fixture server) and, inside the server block,
  include OUT_DIR/nginx-charset.conf;    # windows-1252 pages
  include OUT_DIR/nginx-redirects.conf;  # old slugs -> 301
  location = /anime/  { try_files /anime/index@page=$arg_page.html /anime/index.html =404; }
  location = /people/ { try_files /people/index@page=$arg_page.html /people/index.html =404; }
  location ~ (\\.headers|/_redirects|\\.conf|\\.tsv)$ { return 404; }
nginx-charset.conf has one exact location per windows-1252 page, on its
index.html (where nginx's index module lands):
  header-declared:  charset windows-1252; source_charset windows-1252;
                    (equal charsets: nginx labels the page and does not recode)
  meta-only and undeclared:  charset off;   (Content-Type: text/html)

MUTATE picks its pages with random.Random(seed, fraction, sha256 of
MANIFEST.tsv).  Changed pages get one edit: a release date / birthday in
another form, a role respelled (same role, other spelling) or a new plain-text
credit, a new description paragraph, or -- for people credited by a new work --
a new person-credits row.  New pages are UTF-8 works (credit new people,
changed people and people without a page) and people (credited by the new
works), with ids above every id linked anywhere.  Deleted pages lose their file
and sidecar, index entry, sitemap entry and nginx-charset.conf line; links to
them elsewhere (and a redirect to them, if any) are left to 404, as on a wiki.
Index pages are re-paginated (sorted by title), so pages after an insertion or
deletion change too; every file is rewritten only when its bytes change.

RATES, as measured on the default corpus (seed 1).  Page-level variations are
given to exactly round(rate * n) pages (at least one when the rate is not 0),
so each of them exists in any corpus of ~1,000 pages or more.
  Encoding ...... UTF-8 96.7% of entity pages (<meta charset="utf-8"> 85%,
                  <meta http-equiv ... charset=utf-8> 12%, "UTF-8" 3%);
                  windows-1252 declared only in <meta>: 2.0% (sidecar
                  "Content-Type: text/html"); declared only in HTTP: 1.0%
                  (sidecar "Content-Type: text/html; charset=windows-1252",
                  no <meta>); undeclared: 0.3% (sidecar "text/html", no meta).
                  Every windows-1252 page holds raw bytes 0x80-0x9F (curly
                  quotes, dashes) and Latin-1 letters; what windows-1252
                  lacks (kana, kanji, macrons) is written as &#NNNN;.
  Entities ...... non-ASCII text runs as numeric entities 3% (90% on 2% of
                  UTF-8 pages, e.g. Japanese as &#12525;...), as named ones
                  (&ouml; &eacute; &nbsp; &ndash; &rsquo;) 3% (all on 3% of
                  pages); typographic quotes/dashes in prose on 35% of pages.
  Whitespace .... NBSP in a credit name 1% of credits; leading/trailing
                  blanks 1.5%; newline + indentation + runs of spaces in a role
                  1%; Name cell wrapped in newlines 3% of works; trailing
                  zero-width space in an alias 2% of works; blank-padded Name
                  on 2% of person pages.
  Markup ........ unclosed </li> 0.8% of credits; unclosed <td> in a details
                  row 1.5% of pages; stray </p> 2%; unclosed <p> in the
                  description 3%; unclosed <li> in aliases 1%; <br>-separated
                  Genres/Themes 5% of works; an HTML comment holding a credit
                  (id with no page) 2% of works; a <script> whose string holds
                  <li class="credit"> markup 2% of works; harmless comments 6%
                  and inline ad scripts 5% of pages.
  Person names .. link texts: the person page's title 70% by draw (81% equal
                  to it in all), macrons 6%, macrons dropped 4%, ou/uu 3%, oo
                  1.5%, oh 1%, Japanese order 4%, FAMILY-CAPS 2%, ALL CAPS 1%,
                  native with space 2%, without 1.5%; Western names: 95% title,
                  5% ALL CAPS.  Page titles: macrons dropped 72%, with macrons
                  22%, ou-spelling 6%; native name with a space 55%.
  Roles ......... 3-7 spellings per role (Director / Directed by / director /
                  Series Director ...; Character Design / Character Designer /
                  Character Artist/Designer; Key Animation / Key Animator;
                  Music / Composer / Soundtrack ...); multi-role cells
                  ("Director, Screenplay", "Director / Writer") 1.5% of
                  credits; credit notes 20% (every row of the huge pages).
  Credits ....... 5-40 per work (Episode 5-14, OVA 6-28, Movie 10-40,
                  Series 12-40); 0.1% of works have 1,500-4,000 rows; same
                  person twice with another role 8% of works; the same credit
                  twice 2% of works; plain-text (unlinked) person 1.7% of
                  credits; 20% of credited people have no page (404).
  Cast .......... table.cast on 86% of series, 53% of movies, 51% of OVAs, 16%
                  of episodes (2-9 rows; franchise members share characters
                  and voice actors); empty en cell 30%, empty ja cell ~6%;
                  plain-text voice actor 1%.
  Dates ......... release dates: Feb. 24, 2004 23%, 1995年12月23日 16%,
                  2004-02-24 10%, February 24, 2004 9%, 2009 7%, ranges
                  "Apr. 5, 2007 - Sep. 28, 2007" 6.5% (half of the series'
                  Japanese releases), 24 February 2004 6%, March 2009 5%,
                  02/24/2004 5%, 2004/02/24 4.5%, April 5th, 2007 3.5%,
                  Unknown 1.9%, TBA 1.5%, ? 0.9%; "Sept." 70% / "Sep." 30%.
                  Birthdays use the same forms.  Releases per work: 0 8%,
                  1 35%, 2 47%, 3 7%, 4 3%.
  Runtime ....... row on 88% of works: 115 mins 40%, 115 (mins) 16%, 115 min.
                  16%, 24 mins per episode 16%, approx. 90 minutes 8%,
                  1 hr. 55 min. 2.3%, 1:55 1.9% (hours forms only >= 60 min).
  Aliases ....... section missing 12%, empty 2%; alias equal to the title
                  15%, case/punctuation repeats 25%, native-script alias on
                  60% of works, "&nbsp;&ndash;" variant 3%.
  Sections ...... Aliases before General Information 10%; credits before
                  characters 5% of works; details rows reordered 10%; each
                  optional row missing 10-25%; "Add a new genre" placeholder
                  5%; characters placeholder and "(No voice actors. ...)" on
                  every work without cast; franchise list on 59% of works.
  Links ......... per link: absolute http://www.animevice.com 1%,
                  https://animevice.com 0.5%, ?ref=nav 1%, utm_source 0.5%;
                  <link rel=canonical> missing on 5% of pages; old slugs
                  (301) for 0.5% of works, each linked from two work pages and
                  from half of its credited people's pages; links to deleted
                  works (404) on 1% of works and 1.5% of people; company links
                  (9-ID, 404) on 31% of works; 1% of index links absolute.
"""

import argparse
import bisect
import datetime
import hashlib
import html
import itertools
import os
import random
import re
import sys
import time
import unicodedata

HOST = "http://www.animevice.com"
HOST_S = "https://animevice.com"
PER_INDEX_PAGE = 100

# --------------------------------------------------------------------------
# Word lists

FAMILY = [
    ("Satō", "佐藤"), ("Suzuki", "鈴木"), ("Takahashi", "高橋"), ("Tanaka", "田中"),
    ("Watanabe", "渡辺"), ("Itō", "伊藤"), ("Yamamoto", "山本"), ("Nakamura", "中村"),
    ("Kobayashi", "小林"), ("Katō", "加藤"), ("Yoshida", "吉田"), ("Yamada", "山田"),
    ("Sasaki", "佐々木"), ("Yamaguchi", "山口"), ("Matsumoto", "松本"), ("Inoue", "井上"),
    ("Kimura", "木村"), ("Hayashi", "林"), ("Saitō", "斎藤"), ("Shimizu", "清水"),
    ("Yamazaki", "山崎"), ("Mori", "森"), ("Abe", "阿部"), ("Ikeda", "池田"),
    ("Hashimoto", "橋本"), ("Yamashita", "山下"), ("Ishikawa", "石川"), ("Nakajima", "中島"),
    ("Maeda", "前田"), ("Fujita", "藤田"), ("Ogawa", "小川"), ("Gotō", "後藤"),
    ("Okada", "岡田"), ("Hasegawa", "長谷川"), ("Murakami", "村上"), ("Kondō", "近藤"),
    ("Ishii", "石井"), ("Sakamoto", "坂本"), ("Endō", "遠藤"), ("Aoki", "青木"),
    ("Fujii", "藤井"), ("Nishimura", "西村"), ("Fukuda", "福田"), ("Ōta", "太田"),
    ("Miura", "三浦"), ("Fujiwara", "藤原"), ("Okamoto", "岡本"), ("Matsuda", "松田"),
    ("Nakagawa", "中川"), ("Nakano", "中野"), ("Harada", "原田"), ("Ono", "小野"),
    ("Tamura", "田村"), ("Takeuchi", "竹内"), ("Kaneko", "金子"), ("Wada", "和田"),
    ("Nakayama", "中山"), ("Ishida", "石田"), ("Ueda", "上田"), ("Morita", "森田"),
    ("Hara", "原"), ("Shibata", "柴田"), ("Sakai", "酒井"), ("Kudō", "工藤"),
    ("Yokoyama", "横山"), ("Miyazaki", "宮崎"), ("Miyamoto", "宮本"), ("Uchida", "内田"),
    ("Takagi", "高木"), ("Andō", "安藤"), ("Taniguchi", "谷口"), ("Ōno", "大野"),
    ("Maruyama", "丸山"), ("Imai", "今井"), ("Takada", "高田"), ("Fujimoto", "藤本"),
    ("Takeda", "武田"), ("Murata", "村田"), ("Ueno", "上野"), ("Sugiyama", "杉山"),
    ("Masuda", "増田"), ("Sugawara", "菅原"), ("Hirano", "平野"), ("Ōtsuka", "大塚"),
    ("Chiba", "千葉"), ("Kubo", "久保"), ("Matsui", "松井"), ("Iwasaki", "岩崎"),
    ("Sakurai", "桜井"), ("Kinoshita", "木下"), ("Noguchi", "野口"), ("Matsuo", "松尾"),
    ("Kikuchi", "菊地"), ("Nomura", "野村"), ("Arai", "新井"), ("Ōtomo", "大友"),
    ("Morimoto", "森本"), ("Kawajiri", "川尻"), ("Okamura", "岡村"), ("Yamadera", "山寺"),
    ("Hayashibara", "林原"), ("Kanno", "菅野"), ("Ishizuka", "石塚"), ("Tomino", "富野"),
    ("Oshii", "押井"), ("Hosoda", "細田"), ("Shinkai", "新海"), ("Kōno", "河野"),
    ("Hōjō", "北条"), ("Ōhashi", "大橋"), ("Yūki", "結城"), ("Kurosawa", "黒沢"),
    ("Sōma", "相馬"), ("Shōji", "庄司"), ("Tōyama", "遠山"), ("Ōkubo", "大久保"),
    ("Kōda", "幸田"), ("Ōshima", "大島"), ("Kawamoto", "川本"), ("Toriumi", "鳥海"),
    ("Nagai", "永井"), ("Kitamura", "北村"), ("Sekiguchi", "関口"), ("Mizuno", "水野"),
    ("Ōkawa", "大川"), ("Kōsaka", "高坂"), ("Tsuji", "辻"), ("Hirose", "広瀬"),
]

MALE = [
    ("Kōji", "晃司"), ("Takashi", "隆"), ("Hiroshi", "浩"), ("Kenji", "健二"),
    ("Yūsuke", "雄介"), ("Shin'ichirō", "信一郎"), ("Kōichi", "宏一"), ("Daisuke", "大輔"),
    ("Makoto", "誠"), ("Satoshi", "敏"), ("Katsuhiro", "克洋"), ("Yoshiaki", "善昭"),
    ("Shōji", "昭二"), ("Jun", "純"), ("Tetsuya", "哲也"), ("Masaaki", "正明"),
    ("Hideaki", "秀明"), ("Mamoru", "守"), ("Isao", "勲"), ("Hayao", "駿"),
    ("Osamu", "治"), ("Tomohiro", "智博"), ("Yūji", "裕司"), ("Ryūnosuke", "龍之介"),
    ("Kazuki", "一輝"), ("Shun", "俊"), ("Ren", "蓮"), ("Haruto", "陽斗"),
    ("Sōta", "颯太"), ("Yūto", "悠人"), ("Kōsuke", "康介"), ("Takuya", "拓也"),
    ("Naoki", "直樹"), ("Tsutomu", "勉"), ("Shūichi", "修一"), ("Yōichi", "洋一"),
    ("Jōji", "譲二"), ("Ryōta", "亮太"), ("Shintarō", "慎太郎"), ("Eiji", "英二"),
    ("Gorō", "吾郎"), ("Akira", "明"), ("Hiroyuki", "博之"), ("Tatsuya", "達也"),
    ("Kazuya", "和也"), ("Noboru", "昇"), ("Minoru", "実"), ("Susumu", "進"),
    ("Yasuhiro", "康弘"), ("Toshio", "敏夫"), ("Kenta", "健太"), ("Shōta", "翔太"),
    ("Kōhei", "航平"), ("Tōru", "徹"), ("Yūichi", "裕一"), ("Ryūji", "竜二"),
    ("Seiji", "誠司"), ("Jirō", "次郎"), ("Saburō", "三郎"), ("Ichirō", "一郎"),
    ("Kyōsuke", "恭介"), ("Shinji", "真司"), ("Hajime", "一"), ("Masato", "正人"),
    ("Nobuyuki", "信之"), ("Unshō", "雲勝"), ("Hisayuki", "久幸"), ("Tensai", "天斎"),
    ("Yasunori", "保典"), ("Toshihiro", "敏博"), ("Kōtarō", "光太郎"), ("Yūta", "勇太"),
]

FEMALE = [
    ("Yōko", "陽子"), ("Megumi", "恵"), ("Yūko", "優子"), ("Kyōko", "京子"),
    ("Mari", "真理"), ("Akiko", "明子"), ("Keiko", "恵子"), ("Noriko", "紀子"),
    ("Sachiko", "幸子"), ("Yumi", "由美"), ("Ayumi", "あゆみ"), ("Kaori", "香織"),
    ("Rie", "理恵"), ("Naoko", "直子"), ("Mayumi", "真由美"), ("Hitomi", "瞳"),
    ("Yuki", "雪"), ("Aya", "彩"), ("Mika", "美香"), ("Saori", "沙織"),
    ("Haruka", "遥"), ("Kana", "佳奈"), ("Ai", "愛"), ("Misato", "美里"),
    ("Chiaki", "千秋"), ("Rin", "凛"), ("Nana", "奈々"), ("Yui", "結衣"),
    ("Sakura", "さくら"), ("Kaede", "楓"), ("Minami", "南"), ("Asami", "麻美"),
    ("Shōko", "翔子"), ("Ryōko", "涼子"), ("Yūka", "由佳"), ("Mizuki", "瑞希"),
    ("Aoi", "葵"), ("Hana", "花"), ("Emi", "恵美"), ("Tomoko", "智子"),
    ("Junko", "順子"), ("Reiko", "玲子"), ("Fumiko", "文子"), ("Chieko", "千恵子"),
    ("Sayaka", "さやか"), ("Miyuki", "みゆき"), ("Kotono", "琴乃"), ("Nozomi", "希"),
    ("Hikaru", "光"), ("Yōka", "葉香"), ("Kōko", "紅子"), ("Yūna", "優奈"),
]

WEST_FIRST = [
    "Steve", "Wendee", "Beau", "Lisa", "Crispin", "Johnny", "Kate", "Jason", "Kirk",
    "Jamieson", "Cristina", "Michelle", "Troy", "Laura", "Todd", "Stephanie",
    "Richard", "Mona", "Dave", "Cindy", "Brad", "Kari", "Vic", "Tiffany", "Yuri",
    "Sean", "Monica", "Greg", "Colleen", "Erica", "Chris", "Bryce", "Caitlin",
    "Kyle", "Jessica", "Derek", "Tara", "Joshua", "Melissa", "Travis", "Cherami",
    "Zoë", "René", "Chloé", "José", "Björn", "Amélie", "Noël", "Dana", "Brina",
]
WEST_LAST = [
    "Blum", "Lee", "Billingslea", "Ortiz", "Freeman", "Bosch", "Higgins", "Spisak",
    "Thornton", "Price", "Vee", "Ruff", "Hale", "Bailey", "Haberkorn", "Hirsch",
    "Fox", "Marie", "Lowenthal", "Schemmel", "Papenbrook", "Lindbeck", "Mignogna",
    "Hebert", "Cline", "Mercer", "Stephens", "Keith", "Patton", "Ledford",
    "Willingham", "Stephenson", "Drummond", "Crandall", "Sorensen", "Müller",
    "Doyle", "Kramer", "Nolan", "Vernon", "Palmer", "Ramírez", "Beaumont",
    "Lindqvist", "Okafor", "Brennan", "Castellanos", "Whitfield", "Yates", "Duval",
]

JP_WORDS = [
    # romaji (with macrons), Japanese, English
    ("Hoshi", "星", "Star"), ("Tsuki", "月", "Moon"), ("Sora", "空", "Sky"),
    ("Kaze", "風", "Wind"), ("Umi", "海", "Sea"), ("Hana", "花", "Flower"),
    ("Yume", "夢", "Dream"), ("Kioku", "記憶", "Memory"), ("Tabi", "旅", "Journey"),
    ("Kōya", "荒野", "Wasteland"), ("Yūki", "勇気", "Courage"), ("Shōnen", "少年", "Boy"),
    ("Shōjo", "少女", "Girl"), ("Mahō", "魔法", "Magic"), ("Kishi", "騎士", "Knight"),
    ("Ryū", "竜", "Dragon"), ("Tenshi", "天使", "Angel"), ("Akuma", "悪魔", "Demon"),
    ("Kikai", "機械", "Machine"), ("Hikari", "光", "Light"), ("Yami", "闇", "Darkness"),
    ("Honoo", "炎", "Flame"), ("Kōri", "氷", "Ice"), ("Mori", "森", "Forest"),
    ("Shiro", "城", "Castle"), ("Machi", "街", "City"), ("Gakuen", "学園", "Academy"),
    ("Sensō", "戦争", "War"), ("Kōtei", "皇帝", "Emperor"), ("Ōji", "王子", "Prince"),
    ("Hime", "姫", "Princess"), ("Kamen", "仮面", "Mask"), ("Yoru", "夜", "Night"),
    ("Natsu", "夏", "Summer"), ("Fuyu", "冬", "Winter"), ("Haru", "春", "Spring"),
    ("Sakura", "桜", "Cherry Blossoms"), ("Kokoro", "心", "Heart"), ("Inochi", "命", "Life"),
    ("Kage", "影", "Shadow"), ("Tsubasa", "翼", "Wings"), ("Tetsu", "鉄", "Iron"),
    ("Gin", "銀", "Silver"), ("Ame", "雨", "Rain"), ("Yuki", "雪", "Snow"),
    ("Kawa", "川", "River"), ("Tō", "塔", "Tower"), ("Ken", "剣", "Sword"),
    ("Ōkami", "狼", "Wolf"), ("Kitsune", "狐", "Fox"), ("Tsurugi", "剣", "Blade"),
    ("Uchū", "宇宙", "Space"), ("Mirai", "未来", "Future"), ("Kakumei", "革命", "Revolution"),
]
JP_SUFFIX = [
    ("Monogatari", "物語", "Tale of the {}"), ("Senki", "戦記", "{} War Chronicle"),
    ("Densetsu", "伝説", "Legend of the {}"), ("Gakuen", "学園", "{} Academy"),
    ("Kitan", "奇譚", "Strange Tale of the {}"), ("Ibun", "異聞", "{} Apocrypha"),
]
KATA_WORDS = [
    ("Memories", "メモリーズ"), ("Carnival", "カーニバル"), ("Black", "ブラック"),
    ("Blue", "ブルー"), ("Star", "スター"), ("Knight", "ナイト"), ("Dragon", "ドラゴン"),
    ("Ghost", "ゴースト"), ("Angel", "エンジェル"), ("Heart", "ハート"), ("Dream", "ドリーム"),
    ("Planet", "プラネット"), ("Garden", "ガーデン"), ("Machine", "マシン"),
    ("Rebellion", "リベリオン"), ("Crown", "クラウン"), ("Hunter", "ハンター"),
    ("Magic", "マジック"), ("Wing", "ウイング"), ("Soul", "ソウル"), ("Force", "フォース"),
    ("Zero", "ゼロ"), ("Sky", "スカイ"), ("Fire", "ファイア"), ("Storm", "ストーム"),
    ("Silver", "シルバー"), ("Crystal", "クリスタル"), ("Moon", "ムーン"), ("Sword", "ソード"),
    ("Rose", "ローズ"), ("Legend", "レジェンド"), ("Gear", "ギア"), ("Break", "ブレイク"),
    ("Line", "ライン"), ("Code", "コード"), ("Eden", "エデン"), ("Orbit", "オービット"),
    ("Runner", "ランナー"), ("Beat", "ビート"), ("Jazz", "ジャズ"), ("Paradise", "パラダイス"),
    ("Saga", "サーガ"), ("Chronicle", "クロニクル"), ("Quest", "クエスト"), ("Wars", "ウォーズ"),
    ("Girls", "ガールズ"), ("Princess", "プリンセス"), ("Blade", "ブレイド"), ("Nova", "ノヴァ"),
    ("Cyber", "サイバー"), ("Phantom", "ファントム"), ("Striker", "ストライカー"),
]
EP_ADJ = ["Blue", "Last", "Silent", "Broken", "Distant", "Burning", "Hollow", "Golden",
          "Forgotten", "Crimson", "Endless", "Quiet", "Stray", "Falling", "Paper",
          "Midnight", "Electric", "Frozen", "Lonely", "Borrowed"]
EP_NOUN = ["Rain", "Train", "Promise", "Letter", "Harbor", "Signal", "Garden", "Bridge",
           "Lantern", "Festival", "Mirror", "Station", "Gate", "Song", "Engine", "Island",
           "Horizon", "Coin", "Shadow", "Ballad", "Alibi", "Frontier", "Crossing", "Tide"]
EP_PLACE = ["the City", "the Rain", "the North", "the Harbor", "the Stars", "the Ruins",
            "the Snow", "Paradise", "the Deep", "the Tower"]

GENRES = ["Action", "Adventure", "Comedy", "Drama", "Fantasy", "Horror", "Mystery",
          "Romance", "Science Fiction", "Slice of Life", "Sports", "Thriller", "Mecha",
          "Psychological", "Supernatural", "Historical", "Music"]
THEMES = ["Space", "Cyberpunk", "Magic", "School", "Military", "Bounty Hunters",
          "Post-Apocalyptic", "Time Travel", "Martial Arts", "Robots", "Samurai",
          "Idols", "Vampires", "Sword & Sorcery", "Coming of Age", "Anthology",
          "Detectives", "Pirates", "Steampunk", "Yōkai"]
COMPANIES = ["Studio Kazeya", "Hoshizora Animation", "Tetsuwan Pictures", "Aozora Production",
             "Studio Pulsar", "Kumo Works", "Ginga Films", "Nishikaze", "Studio Lantern",
             "Mugen Animation", "Tsubame Studio", "Kōrin Studio", "Studio Hanabi",
             "Arcturus Pictures", "Madoka Works", "Shiokaze Film", "Studio Tōge",
             "Neon Orchard", "Kagerō Animation", "Studio Fennec"]
USERS = ["reelfox", "mecha_ninja", "user", "sakugafan", "tokyopop_kid", "celjunkie",
         "dubsnob", "lain_wired", "otaku_prime", "moeblob", "vhsripper", "kaijufan"]
LISTS = [("anthology-films", "Anthology films"), ("watched-in-2009", "watched in 2009"),
         ("best-of-the-90s", "Best of the 90s"), ("mecha-essentials", "Mecha essentials"),
         ("comfy-shows", "Comfy shows"), ("ova-gems", "OVA gems"),
         ("space-operas", "Space operas"), ("sakuga-highlights", "Sakuga highlights")]
HOMETOWNS_JP = ["Tokyo, Japan", "Osaka, Japan", "Sapporo, Hokkaidō, Japan",
                "Yokohama, Kanagawa, Japan", "Nagoya, Aichi, Japan", "Kyoto, Japan",
                "Fukuoka, Japan", "Sendai, Miyagi, Japan", "Kōbe, Hyōgo, Japan",
                "Hiroshima, Japan", "Niigata, Japan", "Wakayama, Japan",
                "Kumamoto, Japan", "Shizuoka, Japan", "Ōita, Japan", "Chiba, Japan",
                "Saitama, Japan", "Kagoshima, Japan", "Aomori, Japan", "Nara, Japan"]
HOMETOWNS_W = ["Los Angeles, California, USA", "Austin, Texas, USA", "Toronto, Ontario, Canada",
               "Houston, Texas, USA", "Vancouver, British Columbia, Canada",
               "Santa Monica, California, USA", "New York City, New York, USA",
               "Dallas, Texas, USA", "Montréal, Québec, Canada", "London, England"]

PROTAG = ["a reluctant courier", "a washed-up pilot", "two estranged sisters",
          "a boy who can hear machines", "a retired assassin", "a high-school kendo captain",
          "a failed alchemist", "the last heir of a fallen clan", "a crew of salvage divers",
          "an android detective", "a runaway shrine maiden", "a debt-ridden bounty hunter",
          "a girl who collects other people's dreams", "a disgraced samurai",
          "an amnesiac soldier", "a struggling idol group", "a young cartographer",
          "a pair of rival chefs", "a ghost who cannot leave a train station",
          "a teenage sorceress with a bottomless appetite", "a mechanic and her robot",
          "a transfer student with a secret", "an aging rock band", "a fox spirit"]
GOAL = ["is drawn into a conspiracy", "must deliver a sealed letter",
        "searches for a missing father", "races to stop a war", "tries to save a dying town",
        "falls in love with a ghost", "competes in an underground tournament",
        "uncovers a secret experiment", "escapes from a floating prison",
        "guards the last seed vault", "hunts a creature made of smoke",
        "plans one final heist", "tries to graduate without anyone noticing",
        "inherits a haunted bathhouse", "is hired to find a stolen moon",
        "learns to pilot a giant machine", "tries to win back a lost friend"]
SETTING = ["in a flooded future Tokyo", "across the deserts of a ruined Earth",
           "in Meiji-era Kyoto", "aboard a generation ship", "in a sleepy seaside town",
           "in the shadow of a giant tower", "on the moons of Jupiter", "in a school for witches",
           "during the last summer before the war", "in a city that never stops raining",
           "in the snowbound north of Hokkaidō", "on a train that circles the world",
           "in a kingdom of floating islands", "in a Showa-era shopping street",
           "beneath a sky full of whales", "in the ruins of an old amusement park"]
RECEPTION = ["was a modest success on its first run", "found its audience on home video",
             "divided critics but won a devoted following", "was a surprise hit",
             "was overlooked in Japan but admired abroad", "sold out its first pressing",
             "won an award for its art direction", "was re-released several times"]
PRAISE = ["its hand-drawn effects animation", "the restraint of its direction",
          "its unusually quiet score", "its dense background art",
          "the chemistry of its voice cast", "the fluidity of its action scenes",
          "a final episode that fans still argue about", "its long, unbroken takes",
          "its muted colour design", "the detail of its mechanical designs"]
TYPO_WORK = [
    "Its premi\u00e8re drew a crowd that, in the words of one critic, \u201cnobody at the studio expected\u201d \u2014 the run was extended twice.",
    "The caf\u00e9 scene in the second act is a fan favourite; the staff\u2019s notes call it \u201cthe heart of the film.\u201d",
    "A French dub, titled \u201cLe Dernier \u00c9t\u00e9\u201d, followed \u2014 with a new score.",
    "One reviewer called it \u201cna\u00efve, but sincere\u201d \u2013 a phrase the studio later quoted on posters.",
    "The director\u2019s favourite cut is the 40\u2011second pan across the harbour \u2014 \u201cpure patience\u201d, as he told a Qu\u00e9bec magazine.",
]
TYPO_PERSON = [
    "Asked about the work, {n} said: \u201cI only wanted to draw what I saw\u201d \u2014 a line quoted in the Spanish retrospective \u201cAnimaci\u00f3n japonesa\u201d.",
    "A profile in a French magazine called the work \u201cd\u00e9licate et pr\u00e9cise\u201d \u2014 high praise.",
    "{n}\u2019s sketchbooks were shown at a gallery in K\u00f6ln \u2013 the first such show abroad.",
    "Colleagues describe {n} as \u201cquiet, exacting, and very funny\u201d \u2014 usually in that order, says one prot\u00e9g\u00e9.",
]
STYLE = ["jazz", "chamber strings", "synth-pop", "folk melodies", "big-band brass",
         "choral music", "electronic drones", "solo piano", "rock guitars", "taiko drums"]
OCCUP = {
    "director": ["director", "animation director and storyboard artist", "episode director"],
    "writer": ["screenwriter", "manga artist", "novelist and scriptwriter", "series composer"],
    "animator": ["animator", "key animator", "character designer", "animation director"],
    "music": ["composer", "musician and composer", "arranger"],
    "staff": ["producer", "art director", "sound director", "colour designer"],
    "va_ja": ["voice actor", "voice actress", "seiyū", "actor and singer"],
    "va_en": ["voice actor", "voice actress", "ADR director and voice actor"],
}
NOTE_FIXED = ["Opening and ending.", "Uncredited.", "Episodes 1-13.", "Second half.",
              "Original pilot only.", "Assistant.", "TV version.", "Director's cut only.",
              "Also chief animation director.", "Novel published 1906–1907."]
HIDE_REASONS = ["removed by a moderator, duplicate of a deleted person:",
                "TODO re-add once the credit is verified",
                "old credit, kept for reference"]
FILLER = [
    "Production notes published later describe a schedule that left little room for retakes.",
    "Several staff members later described it as the project that taught them the most.",
    "The home video release restored a number of shots that had been cut for broadcast.",
    "Fans have compiled long lists of the differences between the broadcast and the home video versions.",
    "The opening sequence was storyboarded before the script was finished.",
    "A soundtrack album and a drama CD followed within the year.",
    "Much of the background art was painted from location photographs.",
    "The staff returned to several of its ideas in later productions.",
    "Reviews at the time singled out the pacing of the second half.",
    "Its merchandise outsold that of many bigger productions of the same season.",
    "An English-language dub was recorded some years after the original broadcast.",
    "The story was adapted again, with a different cast, in a later decade.",
]
BIO_ACTS = [
    "grew up reading manga borrowed from an older cousin",
    "studied oil painting before switching to animation",
    "joined a small studio in Nerima straight out of school",
    "spent several years drawing in-betweens before being promoted",
    "is known for meticulous timing sheets",
    "has said in interviews that television schedules taught discipline",
    "often works with the same small group of colleagues",
    "took a long break from the industry in the early 2000s",
    "has taught at a vocational school for animators",
    "is a frequent guest at conventions overseas",
    "first became known through a music video",
    "has contributed illustrations to several art books",
]
BIO_FILLER = [
    "A retrospective of their work was held at a small gallery in Kichijōji.",
    "Several of their storyboards have been reproduced in fan-made art books.",
    "They are said to keep a notebook of every cut they have ever drawn.",
    "Younger staff describe them as patient but exacting.",
    "Interviews from the period describe a meticulous worker who redrew scenes overnight.",
    "Colleagues credit them with training a generation of younger staff.",
    "Their work is often cited in retrospectives of the era.",
    "They have given talks on the craft at several animation festivals.",
    "Early in their career they worked mostly as a freelancer.",
    "They have occasionally been credited under a pen name.",
    "Some of their early work remains uncredited.",
    "They have also worked on commercials and music videos.",
]

# --------------------------------------------------------------------------
# Roles: family -> (pool group, canonical name, spellings with weights)

ROLE_FAMILIES = {
    "director": ("director", "Director",
                 [("Director", 70), ("Directed by", 8), ("director", 6), ("Series Director", 6),
                  ("Chief Director", 4), ("Direction", 3), ("DIRECTOR", 3)]),
    "screenplay": ("writer", "Screenplay",
                   [("Screenplay", 40), ("Script", 25), ("Writer", 15), ("Scenario", 10),
                    ("Series Composition", 10)]),
    "original": ("writer", "Original Creator",
                 [("Original Story", 35), ("Original Creator", 35), ("Original Work", 15),
                  ("Original Manga", 15)]),
    "chardesign": ("animator", "Character Design",
                   [("Character Design", 60), ("Character Designer", 20),
                    ("Character Artist/Designer", 10), ("character design", 5),
                    ("Character Designs", 5)]),
    "animdir": ("animator", "Animation Director",
                [("Animation Director", 60), ("Chief Animation Director", 20),
                 ("Animation Supervisor", 10), ("animation director", 10)]),
    "keyanim": ("animator", "Key Animation",
                [("Key Animation", 60), ("Key Animator", 30), ("Key animation", 10)]),
    "inbetween": ("animator", "In-Between Animation",
                  [("In-Between Animation", 60), ("In-Between Animator", 20), ("In-between", 20)]),
    "storyboard": ("director", "Storyboard",
                   [("Storyboard", 60), ("Storyboards", 20), ("Storyboard Artist", 20)]),
    "epdir": ("director", "Episode Director", [("Episode Director", 70), ("Unit Director", 30)]),
    "music": ("music", "Music",
              [("Music", 55), ("Composer", 15), ("Soundtrack", 10), ("Music by", 10),
               ("Original Soundtrack", 10)]),
    "theme": ("va_ja", "Theme Song Performance",
              [("Theme Song Performance", 50), ("Opening Theme", 25), ("Ending Theme", 25)]),
    "art": ("staff", "Art Director", [("Art Director", 60), ("Background Art", 25), ("Art Direction", 15)]),
    "sound": ("staff", "Sound Director", [("Sound Director", 70), ("Sound Supervisor", 30)]),
    "producer": ("staff", "Producer", [("Producer", 70), ("Executive Producer", 20), ("producer", 10)]),
    "photo": ("staff", "Director of Photography",
              [("Director of Photography", 60), ("Photography Director", 40)]),
    "color": ("staff", "Color Design", [("Color Design", 70), ("Color Designer", 30)]),
    "editing": ("staff", "Editing", [("Editing", 60), ("Editor", 40)]),
    "mecha": ("animator", "Mechanical Design", [("Mechanical Design", 70), ("Mecha Design", 30)]),
    "cg": ("animator", "3D CG", [("3D CG", 50), ("CG Director", 50)]),
}
MULTI_ROLES = [  # (families, rendered forms)
    (("director", "screenplay"), ["Director, Screenplay", "Director / Writer", "Director, Script"]),
    (("storyboard", "epdir"), ["Storyboard, Episode Director", "Storyboard / Episode Director"]),
    (("chardesign", "animdir"), ["Character Design, Animation Director",
                                 "Character Design / Animation Director"]),
    (("original", "screenplay"), ["Original Creator, Screenplay", "Original Story / Script"]),
    (("keyanim", "inbetween"), ["Key Animation, In-Between Animation"]),
    (("director", "storyboard"), ["Director, Storyboard", "Director / Storyboard"]),
]
FILL_FAMILIES = [("keyanim", 40), ("inbetween", 15), ("storyboard", 10), ("epdir", 10),
                 ("animdir", 6), ("color", 3), ("editing", 2), ("producer", 4), ("photo", 2),
                 ("cg", 3), ("mecha", 2), ("theme", 3)]
GROUP_FAMILIES = {  # families a guaranteed person of a group is credited with
    "director": ["director", "storyboard", "epdir"],
    "writer": ["screenplay", "original"],
    "animator": ["keyanim", "keyanim", "animdir", "chardesign", "inbetween"],
    "music": ["music"],
    "staff": ["producer", "art", "sound", "photo", "color", "editing"],
    "va_ja": ["theme"],
    "va_en": ["theme"],
}
CORE = {
    "Series": ["director", "screenplay", "original", "chardesign", "music", "animdir", "art",
               "sound", "producer"],
    "Movie": ["director", "screenplay", "original", "chardesign", "music", "animdir", "art",
              "sound", "producer"],
    "OVA": ["director", "screenplay", "chardesign", "music", "animdir"],
    "Episode": ["director", "storyboard", "screenplay", "animdir"],
}
CREDIT_RANGE = {"Series": (12, 40), "Movie": (10, 40), "OVA": (6, 28), "Episode": (5, 14)}
RATINGS = {"Series": ["TV-Y7", "TV-PG", "TV-14", "TV-MA", "TV-G"],
           "Movie": ["G", "PG", "PG-13", "R"], "OVA": ["PG-13", "R", "PG", "NC-17"],
           "Episode": ["TV-PG", "TV-14", "TV-MA"]}

MONTHS = ["January", "February", "March", "April", "May", "June", "July", "August",
          "September", "October", "November", "December"]
ABBR = ["Jan.", "Feb.", "Mar.", "Apr.", "May", "June", "July", "Aug.", "Sept.", "Oct.",
        "Nov.", "Dec."]
ABBR_ALT = {5: "Jun.", 6: "Jul.", 8: "Sep."}

NAMED = {"ö": "&ouml;", "é": "&eacute;", "è": "&egrave;", "ü": "&uuml;", "ä": "&auml;",
         "à": "&agrave;", "ç": "&ccedil;", "ñ": "&ntilde;", "ó": "&oacute;", "í": "&iacute;",
         "á": "&aacute;", "ë": "&euml;", "Ö": "&Ouml;", "É": "&Eacute;", "°": "&deg;",
         "\u2013": "&ndash;", "\u2014": "&mdash;", "\u2019": "&rsquo;", "\u2018": "&lsquo;",
         "\u201c": "&ldquo;", "\u201d": "&rdquo;", "\xa0": "&nbsp;", "\u2026": "&hellip;",
         "\u014d": "&#333;", "\u016b": "&#363;", "\u014c": "&#332;"}
NAMED_TT = str.maketrans(NAMED)
STRIP_TT = str.maketrans({"ō": "o", "Ō": "O", "ū": "u", "Ū": "U", "ā": "a", "Ā": "A",
                          "ē": "e", "ī": "i", "'": ""})
OU_TT = str.maketrans({"ō": "ou", "Ō": "Ou", "ū": "uu", "Ū": "Uu", "ā": "aa", "'": ""})
OO_TT = str.maketrans({"ō": "oo", "Ō": "Oo", "ū": "uu", "Ū": "Uu", "ā": "aa", "'": ""})
OH_TT = str.maketrans({"ō": "oh", "Ō": "Oh", "ū": "u", "Ū": "U", "ā": "a", "'": ""})
CURLY_TT = str.maketrans({"'": "\u2019"})

NONASCII_RE = re.compile(r"[^\x00-\x7f]")


# --------------------------------------------------------------------------
# Helpers

class WChoice(object):
    """Weighted choice with one rng.random() call."""
    __slots__ = ("items", "cum", "total")

    def __init__(self, pairs):
        self.items = [p[0] for p in pairs]
        self.cum = list(itertools.accumulate(p[1] for p in pairs))
        self.total = float(self.cum[-1])

    def __call__(self, rng):
        i = bisect.bisect_right(self.cum, rng.random() * self.total)
        return self.items[i if i < len(self.items) else -1]


ROLE_SPELL = {f: WChoice(v[2]) for f, v in ROLE_FAMILIES.items()}
ROLE_CANON = {f: v[1] for f, v in ROLE_FAMILIES.items()}
ROLE_GROUP = {f: v[0] for f, v in ROLE_FAMILIES.items()}
SPELL_FAMILY = {}
for _f, _v in ROLE_FAMILIES.items():
    for _s, _w in _v[2]:
        SPELL_FAMILY.setdefault(_s, _f)
FILL_CHOICE = WChoice(FILL_FAMILIES)
DATE_FORM = WChoice([("abbr", 24), ("full", 14), ("dmy", 7), ("iso", 10), ("slash", 5),
                     ("us", 6), ("ord", 4), ("my", 6), ("y", 8), ("jp", 8), ("non", 5)])
DATE_FORM_JP = WChoice([("abbr", 18), ("full", 10), ("dmy", 5), ("iso", 10), ("slash", 5),
                        ("us", 4), ("ord", 3), ("my", 5), ("y", 6), ("jp", 30), ("non", 4)])
RANGE_FORM = WChoice([("abbr", 60), ("full", 20), ("iso", 10), ("jp", 10)])
NONDATE = WChoice([("TBA", 40), ("Unknown", 40), ("?", 20)])
RUNTIME_FORM = WChoice([("paren", 15), ("mins", 25), ("min.", 15), ("hr", 10), ("colon", 8),
                        ("approx", 7)])
RELEASES_N = WChoice([(0, 8), (1, 35), (2, 40), (3, 12), (4, 5)])


def slugify(s):
    s = unicodedata.normalize("NFKD", s)
    s = "".join(c for c in s if not unicodedata.combining(c))
    s = re.sub(r"[^a-z0-9]+", "-", s.lower().replace("'", "")).strip("-")
    return s or "untitled"


def esc(s):
    if "&" in s:
        s = s.replace("&", "&amp;")
    if "<" in s:
        s = s.replace("<", "&lt;")
    if ">" in s:
        s = s.replace(">", "&gt;")
    return s


def esc_attr(s):
    return esc(s).replace('"', "&quot;")


def numeric(s):
    return NONASCII_RE.sub(lambda m: "&#%d;" % ord(m.group(0)), s)


def exact_pick(rng, n, rate, minimum=1):
    if n <= 0 or rate <= 0:
        return set()
    k = min(n, max(minimum, int(round(n * rate))))
    return set(rng.sample(range(n), k))


def year_weighted(rng):
    r = rng.random()
    if r < 0.08:
        return rng.randint(1963, 1979)
    if r < 0.25:
        return rng.randint(1980, 1991)
    if r < 0.70:
        return rng.randint(1992, 2009)
    return rng.randint(2010, 2024)


def fmt_date(rng, y, m, d, form):
    """One calendar date in one of the wiki's forms (m 1-12)."""
    if form == "abbr":
        a = ABBR_ALT[m - 1] if (m - 1) in ABBR_ALT and rng.random() < 0.3 else ABBR[m - 1]
        return "%s %d, %d" % (a, d, y)
    if form == "full":
        return "%s %d, %d" % (MONTHS[m - 1], d, y)
    if form == "dmy":
        return "%d %s %d" % (d, MONTHS[m - 1], y)
    if form == "iso":
        return "%04d-%02d-%02d" % (y, m, d)
    if form == "slash":
        return "%04d/%02d/%02d" % (y, m, d)
    if form == "us":
        return "%02d/%02d/%04d" % (m, d, y)
    if form == "ord":
        suf = "th" if 11 <= d <= 13 else {1: "st", 2: "nd", 3: "rd"}.get(d % 10, "th")
        return "%s %d%s, %d" % (MONTHS[m - 1], d, suf, y)
    if form == "my":
        return "%s %d" % (MONTHS[m - 1], y)
    if form == "y":
        return "%d" % y
    if form == "jp":
        return "%d年%d月%d日" % (y, m, d)
    return NONDATE(rng)


def add_months(y, m, k):
    t = y * 12 + (m - 1) + k
    return t // 12, t % 12 + 1


def fmt_runtime(rng, minutes, per_episode):
    if per_episode and rng.random() < 0.6:
        return rng.choice(["%d mins per episode", "%d minutes per episode",
                           "%d mins per episode"]) % minutes
    f = RUNTIME_FORM(rng)
    if f in ("hr", "colon") and minutes < 60:
        f = "mins"
    if f == "paren":
        return "%d (mins)" % minutes
    if f == "mins":
        return "%d mins" % minutes
    if f == "min.":
        return "%d min." % minutes
    if f == "hr":
        return "%d hr. %d min." % (minutes // 60, minutes % 60)
    if f == "colon":
        return "%d:%02d" % (minutes // 60, minutes % 60)
    return "approx. %d minutes" % minutes


# --------------------------------------------------------------------------
# Entities

class Person(object):
    __slots__ = ("pid", "slug", "path", "group", "western", "female", "giv", "fam",
                 "giv_k", "fam_k", "title", "has_page", "native_space", "rows", "weight")

    def name_variant(self, rng):
        """Link text for this person on some page."""
        r = rng.random()
        if self.western:
            return self.title if r < 0.95 else self.title.upper()
        if self.fam is None:  # single-word pen name
            if r < 0.85:
                return self.title
            if r < 0.93:
                return self.title.upper()
            return self.giv_k
        g, f = self.giv, self.fam
        if r < 0.70:
            return self.title
        if r < 0.76:
            return "%s %s" % (g, f)
        if r < 0.80:
            return ("%s %s" % (g, f)).translate(STRIP_TT)
        if r < 0.83:
            return ("%s %s" % (g, f)).translate(OU_TT)
        if r < 0.845:
            return ("%s %s" % (g, f)).translate(OO_TT)
        if r < 0.855:
            return ("%s %s" % (g, f)).translate(OH_TT)
        if r < 0.895:
            s = "%s %s" % (f, g)
            return s if rng.random() < 0.5 else s.translate(STRIP_TT)
        if r < 0.915:
            return "%s %s" % (f.translate(STRIP_TT).upper(), g.translate(STRIP_TT))
        if r < 0.925:
            return ("%s %s" % (g, f)).translate(STRIP_TT).upper()
        if r < 0.945:
            return "%s %s" % (self.fam_k, self.giv_k)
        if r < 0.96:
            return self.fam_k + self.giv_k
        return self.title

    def native(self, space):
        if self.fam is None:
            return self.giv_k
        return (self.fam_k + " " + self.giv_k) if space else (self.fam_k + self.giv_k)


class Ext(object):
    """A person known only from another page (mutate): its title and path."""
    __slots__ = ("pid", "slug", "path", "title", "rows")

    def __init__(self, pid, path, title):
        self.pid, self.path, self.title, self.rows = pid, path, title, None

    def name_variant(self, rng):
        return self.title


class Work(object):
    __slots__ = ("idx", "wid", "slug", "path", "kind", "title", "title_en", "title_ro",
                 "title_jp", "year", "fr", "old_slug", "n_ep", "minutes", "genres",
                 "themes", "sub_no")


class Franchise(object):
    __slots__ = ("members", "base_en", "base_ro", "base_jp", "year", "chars", "core",
                 "has_cast")


# --------------------------------------------------------------------------
# Page text emitter

class Page(object):
    """Per-page text style: escaping plus the page's entity habits."""
    __slots__ = ("rng", "p_num", "p_named", "curly")

    def __init__(self, rng, p_num=0.03, p_named=0.03, curly=False):
        self.rng, self.p_num, self.p_named, self.curly = rng, p_num, p_named, curly

    def t(self, s):
        s = esc(s)
        if not s.isascii():
            r = self.rng.random()
            if r < self.p_num:
                return numeric(s)
            if r < self.p_num + self.p_named:
                return s.translate(NAMED_TT)
        return s

    def prose(self, s):
        """Running text: typographic apostrophes on 'curly' pages."""
        if self.curly:
            s = s.translate(CURLY_TT)
        return self.t(s)


def href_variant(rng, path):
    r = rng.random()
    if r < 0.01:
        return HOST + path
    if r < 0.015:
        return HOST_S + path
    if r < 0.025:
        return path + "?ref=nav"
    if r < 0.03:
        return path + "?utm_source=twitter&amp;utm_medium=social"
    return path


def link(pg, path, text):
    return '<a href="%s">%s</a>' % (href_variant(pg.rng, path), pg.t(text))


# --------------------------------------------------------------------------
# Chrome (identical to tests/site)

def head(title, canonical, meta_charset, description):
    out = ["<!DOCTYPE html>\n<html lang=\"en\">\n<head>\n"]
    if meta_charset:
        out.append(meta_charset + "\n")
    out.append("<title>%s - Anime Vice</title>\n" % title)
    if canonical:
        out.append('<link rel="canonical" href="%s">\n' % canonical)
    if description is not None:
        out.append('<meta name="description" content="%s">\n' % description)
    out.append('<link rel="stylesheet" href="/static/css/wiki.css">\n'
               '<script src="/static/js/wiki.js"></script>\n')
    return "".join(out)


def masthead(path):
    return ('<header id="masthead">\n'
            '  <a href="/" class="logo">Anime Vice</a>\n'
            '  <nav class="main-nav"><ul>\n'
            '    <li><a href="/anime/">Anime</a></li><li><a href="/people/">People</a></li>\n'
            '    <li><a href="/characters/">Characters</a></li><li><a href="/forums/">Forums</a></li>\n'
            '    <li><a href="/search/?q=&amp;ref=nav">Search</a></li><li><a href="/login/?next=%s">Log in</a></li>\n'
            '  </ul></nav>\n'
            '  <form class="search" action="/search/"><input type="text" name="q"></form>\n'
            '</header>\n' % path)


FOOTER = ('<footer id="footer">\n'
          '  <div class="network"><h4>Mandatory Network</h4>\n'
          '    <ul><li><a href="http://www.giantbomb.com/">Giant Bomb</a></li><li><a href="http://www.comicvine.com/">Comic Vine</a></li><li><a href="http://www.screened.com/">Screened</a></li></ul>\n'
          '  </div>\n'
          '</footer>\n')
EDIT_MODAL = ('<div id="edit-modal" style="display:none">\n'
              '  <p>Submissions can take several hours to be approved.</p>\n'
              '  <button type="submit">Save Changes</button><button type="button">Cancel</button>\n'
              '</div>\n')


def top_lists(rng):
    out = ['  <div class="top-lists">\n    <h3>Top Rated Lists</h3>\n    <ul>\n']
    for slug, name in rng.sample(LISTS, rng.randint(2, 4)):
        u = rng.choice(USERS)
        out.append('      <li><a href="/profile/%s/lists/%s/">%s</a> a list of %d items by '
                   '<a href="/profile/%s/">%s</a></li>\n'
                   % (u, slug, name, rng.randint(5, 240), u, u))
    out.append("    </ul>\n  </div>\n")
    return "".join(out)


def top_editors(rng):
    users = rng.sample(USERS, rng.randint(2, 3))
    return ('  <div class="top-editors">\n    <h3>Top Editors</h3>\n    <ol>%s</ol>\n  </div>\n'
            % "".join('<li><a href="/profile/%s/">%s</a></li>' % (u, u) for u in users))


def meta_for(enc, rng):
    if enc == "utf8":
        r = rng.random()
        if r < 0.85:
            return '<meta charset="utf-8">'
        if r < 0.97:
            return '<meta http-equiv="Content-Type" content="text/html; charset=utf-8">'
        return '<meta charset="UTF-8">'
    if enc == "meta1252":
        if rng.random() < 0.7:
            return '<meta http-equiv="Content-Type" content="text/html; charset=windows-1252">'
        return '<meta charset="windows-1252">'
    return None


def encode(text, enc):
    if enc == "utf8":
        return text.encode("utf-8")
    return text.encode("cp1252", "xmlcharrefreplace")


SIDECAR = {"meta1252": b"Content-Type: text/html\n",
           "none1252": b"Content-Type: text/html\n",
           "hdr1252": b"Content-Type: text/html; charset=windows-1252\n"}


def charset_block(path, enc):
    loc = "location = %sindex.html" % path
    if enc == "hdr1252":
        return "%s { charset windows-1252; source_charset windows-1252; }\n" % loc
    return "%s { charset off; }\n" % loc


# --------------------------------------------------------------------------
# Work page

def render_work(w, credits, cast, relations, desc_html, deck, releases, aliases, flags,
                enc, pg):
    """Return the page text. credits: [(person|None, text, role, note)];
    cast: [(char_path, char_name, ja_person|None, ja_text|None, en_person|None, en_text|None)];
    relations: [(path, title)]; releases: [(name, date)]; flags: set of strings."""
    rng = pg.rng
    path = w.path
    kind = w.kind
    kl = kind.lower()
    title_t = esc(w.title)
    canonical = None if "nocanon" in flags else HOST + path
    out = [head("%s (%s)" % (title_t, kind), canonical, meta_for(enc, rng), esc_attr(html.unescape(deck)))]
    if "adscript" in flags:
        out.append('<script type="text/javascript">var adSlot = \'<div class="ad"><a href="/forums/?ref=ad">Discuss %s</a></div>\'; document.write(adSlot);</script>\n'
                   % esc(w.title).replace("'", "\\'"))
    out.append('</head>\n<body class="wiki wiki-%s">\n<div id="site">\n' % kl)
    out.append(masthead(path))
    out.append('\n<div id="wrapper">\n<div class="wiki-header">\n')
    out.append('  <div class="wiki-title"><h1><a href="%s">%s</a></h1> <span class="wiki-type">%s</span></div>\n'
               % (path, pg.t(w.title), kind))
    out.append('  <h2 class="wiki-deck">%s</h2>\n' % deck)
    out.append('  <ul class="wiki-nav">\n    <li class="on"><a href="%s">Overview</a></li>\n'
               '    <li><a href="%simages/">Images</a></li>\n' % (path, path))
    if kind == "Series":
        out.append('    <li><a href="%sepisodes/">Episodes</a></li>\n' % path)
    out.append('    <li><a href="%sforums/">Forums</a></li>\n  </ul>\n</div>\n\n' % path)
    out.append('<div class="primary-content">\n<div class="wiki-item-display">\n'
               '  <p class="editable-notice">The content below is entirely editable.</p>\n\n')
    out.append('  <div class="wiki-description" data-field="description">\n%s  </div>\n\n' % desc_html)

    # characters
    chars = ['  <div class="wiki-characters">\n    <h3>Characters &amp; Voice Actors</h3>\n'
             '    <div class="wiki-edit-link"><a href="%scharacters/edit/">Add a character to this %s</a></div>\n'
             % (path, kl)]
    if cast:
        chars.append('    <table class="cast">\n      <thead><tr><th>Character</th><th>Japanese</th><th>English</th></tr></thead>\n      <tbody>\n')
        for cpath, cname, jp, jt, ep, et in cast:
            chars.append('        <tr>\n          <td class="character"><a href="%s">%s</a></td>\n'
                         % (cpath, pg.t(cname)))
            for lang, p, txt in (("ja", jp, jt), ("en", ep, et)):
                if txt is None:
                    chars.append('          <td class="va" lang="%s"></td>\n' % lang)
                elif p is None:
                    chars.append('          <td class="va" lang="%s">%s</td>\n' % (lang, pg.t(txt)))
                else:
                    chars.append('          <td class="va" lang="%s">%s</td>\n'
                                 % (lang, link(pg, p.path, txt)))
            chars.append("        </tr>\n")
        chars.append("      </tbody>\n    </table>\n")
    else:
        chars.append("    <p class=\"empty\">We don't have any characters attached to this episode. Help us fill it in!</p>\n")
    chars.append("  </div>\n\n")

    # credits
    cr = ['  <div class="wiki-credits">\n'
          '    <div class="wiki-edit-link"><a href="%scredits/edit/">Add a credit to %s.</a></div>\n'
          % (path, title_t)]
    if not cast:
        cr.append('    <p class="note">(No voice actors. Add voice actors to characters above.)</p>\n')
    cr.append('    <ul class="credit-list">\n')
    comment_at = rng.randrange(len(credits) + 1) if "comment" in flags else -1
    huge = len(credits) > 200
    for i, (p, text, role, note) in enumerate(credits):
        if i == comment_at:
            cr.append(flags_comment(rng))
        r = rng.random()
        if r < 0.01:
            text = text.replace(" ", "\xa0" if rng.random() < 0.5 else "&nbsp;", 1)
            ptxt = pg.t(text).replace("&amp;nbsp;", "&nbsp;")
        elif r < 0.025:
            ptxt = "  " + pg.t(text) + "  "
        else:
            ptxt = pg.t(text)
        if p is None:
            person = ptxt
        else:
            person = '<a href="%s">%s</a>' % (href_variant(rng, p.path), ptxt)
        r = rng.random()
        if r < 0.01:
            role_t = "\n          " + esc(role).replace(" ", "   ", 1) + "  "
        else:
            role_t = esc(role)
        cr.append('      <li class="credit">\n        <div class="credit-person">%s</div>\n'
                  '        <div class="credit-role">%s</div>\n' % (person, role_t))
        if note:
            cr.append('        <div class="credit-note">%s</div>\n' % pg.prose(note))
        if huge or rng.random() >= 0.01 or i == len(credits) - 1:
            cr.append("      </li>\n")
    if comment_at == len(credits):
        cr.append(flags_comment(rng))
    cr.append("    </ul>\n")
    if "script" in flags:
        gp = rng.randint(100, 999)
        cr.append('    <script type="text/javascript">\n'
                  '      var creditTemplate = \'<li class="credit"><div class="credit-person"><a href="/script-ghost/26-%d/">Script Ghost</a></div><div class="credit-role">Writer</div></li>\';\n'
                  '      if (window.WikiCredits) { window.WikiCredits.template = creditTemplate; }\n'
                  '    </script>\n' % gp)
    cr.append("  </div>\n")
    if "credits_first" in flags:
        out.append("".join(cr) + "\n" + "".join(chars).rstrip("\n") + "\n")
    else:
        out.append("".join(chars))
        out.append("".join(cr))
    out.append("</div>\n</div>\n\n<aside class=\"secondary-content\">\n")

    # sidebar: boxart, details, aliases, lists, relations, editors
    side_details = render_work_details(w, releases, flags, pg)
    side_aliases = render_aliases(aliases, flags, pg)
    if rng.random() < 0.5:
        out.append('  <div class="wiki-boxart">\n    <img src="/static/uploads/12/%d/poster.jpg" alt="%s">\n'
                   '    <p class="caption">Poster art</p>\n  </div>\n' % (w.wid, esc_attr(w.title)))
    if "aliases_first" in flags:
        out.append(side_aliases + ("\n" if side_aliases else "") + side_details + "\n")
    else:
        out.append(side_details + "\n" + side_aliases + ("\n" if side_aliases else ""))
    out.append(top_lists(rng))
    out.append("\n  <div class=\"wiki-relations\">\n    <h3>Franchise <a class=\"edit\" href=\"%sfranchise/edit/\">Edit</a></h3>\n" % path)
    if relations:
        out.append("    <ul>%s</ul>\n" % "".join(
            "<li>%s</li>" % link(pg, rp, rt) for rp, rt in relations))
    else:
        poss = "'" if w.title.endswith("s") and rng.random() < 0.5 else "'s"
        out.append("    <p class=\"empty\">We don't have any info about %s%s related things. Help us fill it in!</p>\n"
                   % (title_t, poss))
    out.append("  </div>\n\n")
    out.append(top_editors(rng))
    out.append("</aside>\n</div>\n\n")
    out.append(FOOTER)
    out.append(EDIT_MODAL)
    if "comment2" in flags:
        out.append("<!-- page cached by wiki/%d -->\n" % w.wid)
    out.append("</div>\n</body>\n</html>\n")
    return "".join(out)


def flags_comment(rng):
    gp = rng.randint(100, 999)
    nm = rng.choice(["Hidden Person", "Old Credit", "Removed Staff", "Duplicate Entry"])
    return ("      <!-- %s\n      <li class=\"credit\">\n"
            "        <div class=\"credit-person\"><a href=\"/%s/26-%d/\">%s</a></div>\n"
            "        <div class=\"credit-role\">Producer</div>\n      </li>\n      -->\n"
            % (rng.choice(HIDE_REASONS), slugify(nm), gp, nm))


def genre_cell(items, base, flags, pg, path, kind_key):
    rng = pg.rng
    if "br_genres" in flags:
        parts = [esc(x) for x in items]
        out = parts[0]
        for x in parts[1:]:
            out += rng.choice(["<br>", "<br/>", "<br>\n          ", "<br />"]) + x
        return out
    links = []
    for x in items:
        href = "/%s/%s/" % (base, slugify(x))
        r = rng.random()
        if r < 0.03:
            href = HOST + href + "?ref=nav"
        links.append('<a href="%s">%s</a>' % (href, pg.t(x)))
    return ", ".join(links)


def render_work_details(w, releases, flags, pg):
    rng = pg.rng
    path = w.path
    rel_rows = []
    for i, (name, date) in enumerate(releases):
        nm = pg.t(name)
        if i == 0 and "name_ws" in flags:
            nm = "\n          %s\n        " % nm
        rel_rows.append("      <tr><th>Name:</th><td>%s</td></tr>\n" % nm)
        rel_rows.append("      <tr><th>Release Date:</th><td>%s</td></tr>\n" % pg.t(date))
    rows = []
    if w.kind == "Series" and w.n_ep and rng.random() < 0.9:
        rows.append("      <tr><th>Episodes:</th><td>%d</td></tr>\n" % w.n_ep)
    if rng.random() < 0.8:
        rows.append("      <tr><th>Rating:</th><td>%s</td></tr>\n" % rng.choice(RATINGS[w.kind]))
    if rng.random() < 0.88:
        rt = fmt_runtime(rng, w.minutes, w.kind == "Series")
        rows.append("      <tr><th>Runtime:</th><td>%s</td></tr>\n" % rt)
    if "genre_placeholder" in flags:
        rows.append('      <tr><th>Genres:</th><td><a class="add" href="%sgenres/edit/">Add a new genre</a></td></tr>\n' % path)
    elif "br_genres" in flags or (w.genres and rng.random() < 0.9):
        rows.append("      <tr><th>Genres:</th><td>%s</td></tr>\n"
                    % genre_cell(w.genres or ["Action", "Drama"], "genres", flags, pg, path, "g"))
    if w.themes and rng.random() < 0.75:
        rows.append("      <tr><th>Themes:</th><td>%s</td></tr>\n"
                    % genre_cell(w.themes, "themes", flags, pg, path, "t"))
    if "reorder" in flags:
        rng.shuffle(rows)
        allrows = rows + rel_rows if rng.random() < 0.5 else rows[:1] + rel_rows + rows[1:]
    else:
        allrows = rel_rows + rows
    if "unclosed_td" in flags and allrows:
        i = rng.randrange(len(allrows))
        allrows[i] = allrows[i].replace("</td></tr>", "</tr>", 1)
    return ('  <div class="wiki-details" id="wiki-details">\n'
            '    <h3>General Information <a class="edit" href="%sedit/">Edit</a></h3>\n'
            '    <table>\n%s    </table>\n  </div>\n' % (path, "".join(allrows)))


def render_aliases(aliases, flags, pg):
    if "aliases_missing" in flags:
        return ""
    out = ['  <div class="wiki-aliases">\n    <h3>Aliases</h3>\n    <ul>\n']
    if "aliases_empty" not in flags:
        unclosed = pg.rng.randrange(len(aliases)) if ("aliases_unclosed" in flags and aliases) else -1
        for i, a in enumerate(aliases):
            if i == unclosed:
                out.append("      <li>%s\n" % pg.t(a))
            else:
                out.append("      <li>%s</li>\n" % pg.t(a))
    out.append("    </ul>\n  </div>\n")
    return "".join(out)


# --------------------------------------------------------------------------
# Person page

def render_person(p, rows, desc_html, deck, details, aliases, flags, enc, pg):
    """rows: [(href, title, role, year)]; details: [(label, html)]."""
    rng = pg.rng
    path = p.path
    canonical = None if "nocanon" in flags else HOST + path
    out = [head("%s (Person)" % esc(p.title), canonical, meta_for(enc, rng), esc_attr(html.unescape(deck)))]
    if "adscript" in flags:
        out.append('<script type="text/javascript">var adSlot = \'<div class="ad"><a href="/forums/?ref=ad">Fan club</a></div>\'; document.write(adSlot);</script>\n')
    out.append('</head>\n<body class="wiki wiki-person">\n<div id="site">\n')
    out.append(masthead(path))
    out.append('\n<div id="wrapper">\n<div class="wiki-header">\n')
    out.append('  <div class="wiki-title"><h1><a href="%s">%s</a></h1> <span class="wiki-type">Person</span></div>\n'
               % (path, pg.t(p.title)))
    out.append('  <h2 class="wiki-deck">%s</h2>\n' % deck)
    out.append('  <ul class="wiki-nav">\n    <li class="on"><a href="%s">Overview</a></li>\n'
               '    <li><a href="%simages/">Images</a></li>\n  </ul>\n</div>\n\n' % (path, path))
    out.append('<div class="primary-content">\n<div class="wiki-item-display">\n'
               '  <p class="editable-notice">The content below is entirely editable.</p>\n')
    out.append('  <div class="wiki-description" data-field="description">\n%s  </div>\n\n' % desc_html)
    out.append('  <div class="wiki-credits">\n    <h3>Credits</h3>\n    <table class="person-credits">\n'
               '      <thead><tr><th>Title</th><th>Role</th><th>Year</th></tr></thead>\n      <tbody>\n')
    for href, title, role, year in rows:
        out.append('        <tr><td><a href="%s">%s</a></td><td>%s</td><td>%s</td></tr>\n'
                   % (href, pg.t(title), esc(role), year))
    out.append("      </tbody>\n    </table>\n  </div>\n</div>\n</div>\n\n<aside class=\"secondary-content\">\n")
    drows = ["      <tr><th>%s</th><td>%s</td></tr>\n" % (lab, val) for lab, val in details]
    if "reorder" in flags and len(drows) > 2:
        rest = drows[1:]
        rng.shuffle(rest)
        drows = drows[:1] + rest
    if "unclosed_td" in flags and drows:
        i = rng.randrange(len(drows))
        drows[i] = drows[i].replace("</td></tr>", "</tr>", 1)
    det = ('  <div class="wiki-details" id="wiki-details">\n'
           '    <h3>General Information <a class="edit" href="%sedit/">Edit</a></h3>\n'
           '    <table>\n%s    </table>\n  </div>\n' % (path, "".join(drows)))
    al = render_aliases(aliases, flags, pg)
    if "aliases_first" in flags:
        out.append(al + det)
    else:
        out.append(det + al)
    if rng.random() < 0.6:
        out.append(top_lists(rng))
    out.append(top_editors(rng))
    out.append("</aside>\n</div>\n\n")
    out.append(FOOTER)
    out.append(EDIT_MODAL)
    if "comment2" in flags:
        out.append("<!-- page cached by wiki/%d -->\n" % p.pid)
    out.append("</div>\n</body>\n</html>\n")
    return "".join(out)


# --------------------------------------------------------------------------
# Index pages, home, robots, sitemap

def index_file(section, page):
    return "%s/index.html" % section if page == 1 else "%s/index@page=%d.html" % (section, page)


def render_index(section, entries, page, npages):
    """entries: [(href, text_html, type)] of this page."""
    name = "Anime" if section == "anime" else "People"
    here = "/%s/" % section if page == 1 else "/%s/?page=%d" % (section, page)
    out = ['<!DOCTYPE html>\n<html lang="en">\n<head>\n<meta charset="utf-8">\n'
           '<title>%s - Anime Vice</title>\n' % name,
           '<link rel="canonical" href="%s/%s/?page=%d">\n' % (HOST, section, page),
           '<link rel="stylesheet" href="/static/css/wiki.css">\n'
           '<script src="/static/js/wiki.js"></script>\n</head>\n<body class="wiki-index">\n<div id="site">\n',
           masthead(here),
           '<div id="wrapper">\n<div class="primary-content">\n  <h1>%s</h1>\n  <ul class="editorial-list">\n' % name]
    for href, text, typ in entries:
        out.append('    <li><a href="%s">%s</a> <span class="type">%s</span></li>\n' % (href, text, typ))
    out.append('  </ul>\n  <div class="paginate">\n')
    if page > 1:
        out.append('    <a class="prev" rel="prev" href="/%s/?page=%d">&laquo; Previous</a>\n'
                   % (section, page - 1))
    shown = sorted(set([1, npages] + list(range(max(1, page - 2), min(npages, page + 2) + 1))))
    last = 0
    for n in shown:
        if n > last + 1:
            out.append('    <span class="gap">&hellip;</span>\n')
        if n == page:
            out.append('    <span class="current">%d</span>\n' % n)
        elif n == 1:
            out.append('    <a href="/%s/">1</a>\n' % section)
        else:
            out.append('    <a href="/%s/?page=%d">%d</a>\n' % (section, n, n))
        last = n
    if page < npages:
        out.append('    <a class="next" rel="next" href="/%s/?page=%d">Next &raquo;</a>\n'
                   % (section, page + 1))
    out.append('  </div>\n</div>\n<aside class="secondary-content">\n'
               '  <div class="top-lists">\n    <h3>Top Rated Lists</h3>\n    <ul>\n'
               '      <li><a href="/profile/reelfox/lists/anthology-films/">Anthology films</a> a list of 27 items by <a href="/profile/reelfox/">reelfox</a></li>\n'
               '      <li><a href="/profile/mecha_ninja/lists/watched-in-2009/">watched in 2009</a> a list of 112 items by <a href="/profile/mecha_ninja/">mecha_ninja</a></li>\n'
               '    </ul>\n  </div>\n</aside>\n</div>\n')
    out.append(FOOTER)
    out.append("</div>\n</body>\n</html>\n")
    return "".join(out)


def index_key(text_html, href):
    m = ID_RE.search(href)
    return (html.unescape(text_html).casefold(), int(m.group(2)) if m else 0)


def render_indexes(section, entries):
    """All index pages of a section: {relative file: bytes}."""
    npages = max(1, (len(entries) + PER_INDEX_PAGE - 1) // PER_INDEX_PAGE)
    files = {}
    for page in range(1, npages + 1):
        chunk = entries[(page - 1) * PER_INDEX_PAGE:page * PER_INDEX_PAGE]
        files[index_file(section, page)] = render_index(section, chunk, page, npages).encode("utf-8")
    return files


def render_home(featured):
    out = ['<!DOCTYPE html>\n<html lang="en">\n<head>\n<meta charset="utf-8">\n'
           '<title>Anime Vice - The anime and manga wiki</title>\n'
           '<link rel="canonical" href="http://www.animevice.com/">\n'
           '<meta name="description" content="A wiki of anime works and the people who make them.">\n'
           '<link rel="stylesheet" href="/static/css/wiki.css">\n'
           '<script src="/static/js/wiki.js"></script>\n</head>\n<body class="home">\n<div id="site">\n',
           masthead("/"),
           '<div id="wrapper">\n<div class="primary-content">\n  <h1>Anime Vice</h1>\n'
           '  <p>A wiki of anime works and the people who make them. Every page is editable.</p>\n'
           '  <ul class="home-sections">\n    <li><a href="/anime/">Browse anime</a></li>\n'
           '    <li><a href="/people/">Browse people</a></li>\n  </ul>\n'
           '  <div class="featured">\n    <h3>Featured</h3>\n']
    for path, title in featured:
        out.append('    <p><a href="%s?ref=home">%s</a> &mdash; featured this week.</p>\n' % (path, esc(title)))
    out.append('  </div>\n</div>\n</div>\n')
    out.append(FOOTER)
    out.append(EDIT_MODAL)
    out.append("</div>\n</body>\n</html>\n")
    return "".join(out)


ROBOTS = ("User-agent: *\nDisallow: /forums/\nDisallow: /profile/\nDisallow: /search/\n"
          "Disallow: /login/\nDisallow: /*/edit/\nCrawl-delay: 1\n\n"
          "Sitemap: http://www.animevice.com/sitemap.xml\n")


def render_sitemap(entries):
    out = ['<?xml version="1.0" encoding="UTF-8"?>\n'
           '<urlset xmlns="http://www.sitemaps.org/schemas/sitemap/0.9">\n']
    for path, lastmod in entries:
        out.append("  <url><loc>%s%s</loc><lastmod>%s</lastmod></url>\n" % (HOST, path, lastmod))
    out.append("</urlset>\n")
    return "".join(out).encode("utf-8")


ID_RE = re.compile(r"/([^/]+)/(12|26|18|9)-(\d+)/")


# --------------------------------------------------------------------------
# Writer

class Tree(object):
    def __init__(self, root):
        self.root = root
        self.made = set()

    def write(self, rel, data):
        full = os.path.join(self.root, rel)
        d = os.path.dirname(full)
        if d not in self.made:
            os.makedirs(d, exist_ok=True)
            self.made.add(d)
        with open(full, "wb") as f:
            f.write(data)

    def replace(self, rel, data):
        """Atomic rewrite; only when the content differs. Returns True if written."""
        full = os.path.join(self.root, rel)
        try:
            with open(full, "rb") as f:
                if f.read() == data:
                    return False
        except OSError:
            pass
        d = os.path.dirname(full)
        os.makedirs(d, exist_ok=True)
        tmp = full + ".tmp-gen"
        with open(tmp, "wb") as f:
            f.write(data)
        os.replace(tmp, full)
        return True


# --------------------------------------------------------------------------
# Generator

class Generator(object):
    def __init__(self, rng):
        self.rng = rng

    # ---- names and titles ----
    def make_person(self, pid, group):
        rng = self.rng
        p = Person()
        p.pid = pid
        p.group = group
        p.rows = None
        p.western = (group == "va_en" and rng.random() < 0.85) or rng.random() < 0.015
        p.female = rng.random() < (0.55 if group in ("va_ja", "va_en") else 0.25)
        if p.western:
            p.giv = rng.choice(WEST_FIRST)
            p.fam = rng.choice(WEST_LAST)
            p.giv_k = p.fam_k = None
            p.title = "%s %s" % (p.giv, p.fam)
        elif rng.random() < 0.006:
            g, k = rng.choice(MALE)
            p.giv, p.giv_k = g + rng.choice(["tarō", "rō", "suke"]), k + rng.choice(["太郎", "郎", "介"])
            p.fam = p.fam_k = None
            p.title = p.giv.translate(STRIP_TT) if rng.random() < 0.7 else p.giv
        else:
            p.fam, p.fam_k = rng.choice(FAMILY)
            p.giv, p.giv_k = rng.choice(FEMALE if p.female else MALE)
            r = rng.random()
            full = "%s %s" % (p.giv, p.fam)
            if r < 0.72:
                p.title = full.translate(STRIP_TT)
            elif r < 0.94:
                p.title = full
            else:
                p.title = full.translate(OU_TT)
        p.native_space = rng.random() < 0.55
        p.slug = slugify(p.title)
        p.path = "/%s/26-%d/" % (p.slug, pid)
        return p

    def jp_title(self):
        """(english, romaji or None, japanese) of a base title."""
        rng = self.rng
        r = rng.random()
        if r < 0.45:
            a, b = rng.sample(JP_WORDS, 2)
            ro = "%s no %s" % (a[0], b[0])
            jp = a[1] + "の" + b[1]
            en = "%s of the %s" % (b[2], a[2]) if rng.random() < 0.6 else "The %s %s" % (a[2], b[2])
            return en, ro, jp
        if r < 0.65:
            a = rng.choice(JP_WORDS)
            s = rng.choice(JP_SUFFIX)
            return s[2].format(a[2]), "%s %s" % (a[0], s[0]), a[1] + s[1]
        a, b = rng.sample(KATA_WORDS, 2)
        sep = "・" if rng.random() < 0.4 else ""
        en = "%s %s" % (a[0], b[0])
        if rng.random() < 0.2:
            n = rng.randint(2, 9)
            return "%s %d" % (en, n * 11 if n < 4 else n), None, "%s%s%s %d" % (a[1], sep, b[1], n * 11 if n < 4 else n)
        return en, None, a[1] + sep + b[1]

    def ep_subtitle(self):
        rng = self.rng
        r = rng.random()
        if r < 0.4:
            return "%s %s" % (rng.choice(EP_ADJ), rng.choice(EP_NOUN))
        if r < 0.7:
            return "The %s of the %s" % (rng.choice(EP_NOUN), rng.choice(EP_NOUN))
        n = rng.choice(EP_NOUN)
        return "%s %s in %s" % ("An" if n[0] in "AEIOU" else "A", n, rng.choice(EP_PLACE))

    # ---- the corpus ----
    def build(self, n_works, n_people):
        rng = self.rng
        pool_n = max(n_people, int(round(n_people / 0.8)))
        groups = WChoice([("director", 12), ("writer", 9), ("animator", 35), ("music", 5),
                          ("staff", 13), ("va_ja", 16), ("va_en", 10)])
        pids = rng.sample(range(1000, 1000 + 6 * pool_n + 100), pool_n)
        self.people = [self.make_person(pid, groups(rng)) for pid in pids]
        with_page = set(rng.sample(range(pool_n), n_people))
        for i, p in enumerate(self.people):
            p.has_page = i in with_page
            p.rows = {}
        # popularity: Zipf-like weights over each group's members
        self.group_members = {}
        for p in self.people:
            self.group_members.setdefault(p.group, []).append(p)
        self.group_pick = {}
        for g, members in self.group_members.items():
            order = members[:]
            rng.shuffle(order)
            pairs = [(p, 1.0 / (i + 1) ** 0.85) for i, p in enumerate(order)]
            self.group_pick[g] = WChoice(pairs)
        crew = [p for p in self.people if p.group not in ("va_ja", "va_en")]
        self.crew_pick = WChoice([(p, 1.0 / (i + 1) ** 0.7) for i, p in enumerate(crew)]) if crew else None

        # works: franchises of related works
        wids = rng.sample(range(1000, 1000 + 6 * n_works + 100), n_works)
        self.ghost_works = [(rng.randint(100, 999), slugify(self.jp_title()[0])) for _ in range(40)]
        works, frs = [], []
        kind_main = WChoice([("Series", 55), ("Movie", 30), ("OVA", 15)])
        while len(works) < n_works:
            fr = Franchise()
            fr.base_en, fr.base_ro, fr.base_jp = self.jp_title()
            fr.year = year_weighted(rng)
            fr.members = []
            fr.core = {}
            fr.chars = []
            main_kind = kind_main(rng)
            kinds = [main_kind]
            if main_kind == "Series":
                if rng.random() < 0.35:
                    kinds += ["Episode"] * rng.randint(1, 8)
                if rng.random() < 0.3:
                    kinds += [rng.choice(["Movie", "OVA"]) for _ in range(rng.randint(1, 2))]
                if rng.random() < 0.12:
                    kinds.append("Series")
            elif rng.random() < 0.2:
                kinds.append(rng.choice(["Movie", "OVA"]))
            ep_no = 0
            for j, kind in enumerate(kinds):
                if len(works) >= n_works:
                    break
                w = Work()
                w.idx = len(works)
                w.wid = wids[w.idx]
                w.kind = kind
                w.fr = fr
                w.sub_no = 0
                en, ro, jp = fr.base_en, fr.base_ro, fr.base_jp
                w.year = fr.year
                if j > 0:
                    w.year = min(2024, fr.year + rng.randint(0, 4))
                    if kind == "Episode":
                        ep_no += rng.randint(1, 3)
                        w.sub_no = ep_no
                        sub = self.ep_subtitle()
                        r = rng.random()
                        if r < 0.5:
                            en = sub
                        elif r < 0.8:
                            en = "Episode %d: %s" % (ep_no, sub)
                        else:
                            en = "%s Episode %d" % (fr.base_en, ep_no)
                        ro = None
                        jp = "第%d話" % ep_no
                        w.year = fr.year
                    elif kind == "Movie":
                        r = rng.random()
                        if r < 0.4:
                            en = "%s: The Movie" % fr.base_en
                        else:
                            en = "%s: %s" % (fr.base_en, self.ep_subtitle())
                        ro = ("Gekijōban " + fr.base_ro) if fr.base_ro else None
                        jp = "劇場版 " + fr.base_jp
                    elif kind == "OVA":
                        en = "%s OVA" % fr.base_en if rng.random() < 0.5 else "%s: %s" % (fr.base_en, self.ep_subtitle())
                        ro = fr.base_ro
                        jp = fr.base_jp + " OVA"
                    else:
                        en = "%s %s" % (fr.base_en, rng.choice(["II", "2nd Season", "Season 2"]))
                        ro = (fr.base_ro + " Dai Ni Ki") if fr.base_ro else None
                        jp = fr.base_jp + " 第2期"
                w.title_en, w.title_ro, w.title_jp = en, ro, jp
                w.title = ro if (ro and kind != "Episode" and rng.random() < 0.45) else en
                w.slug = slugify(w.title)
                w.path = "/%s/12-%d/" % (w.slug, w.wid)
                w.old_slug = None
                if kind == "Series":
                    w.n_ep = rng.choice([12, 13, 24, 25, 26, 26, 39, 50, 52, 64, 104])
                    w.minutes = rng.choice([24, 24, 24, 25, 23, 22, 30, 12])
                elif kind == "Movie":
                    w.n_ep = None
                    w.minutes = rng.randint(45, 140)
                elif kind == "OVA":
                    w.n_ep = None
                    w.minutes = rng.randint(25, 62)
                else:
                    w.n_ep = None
                    w.minutes = rng.choice([24, 24, 25, 23])
                w.genres = rng.sample(GENRES, rng.randint(0, 3)) if j == 0 or rng.random() < 0.5 else []
                w.themes = rng.sample(THEMES, rng.randint(0, 2))
                fr.members.append(w)
                works.append(w)
            fr.has_cast = rng.random() < (0.9 if main_kind == "Series" else 0.55)
            frs.append(fr)
        self.works, self.frs = works, frs
        return pool_n

    def assign(self):
        """Decide credits and casts (model), guaranteeing every person appears."""
        rng = self.rng
        works = self.works
        # core crew per franchise
        for fr in self.frs:
            for fam in ("director", "screenplay", "original", "chardesign", "music"):
                fr.core[fam] = self.pick_for(fam)
        # characters per cast franchise
        cast_frs = [fr for fr in self.frs if fr.has_cast]
        for fr in cast_frs:
            for _ in range(rng.randint(2, 9)):
                fr.chars.append(self.new_char(fr))
        # guaranteed appearances
        self.guaranteed = [[] for _ in works]
        cap = [0] * len(works)
        for p in self.people:
            if p.group in ("va_ja", "va_en") and cast_frs:
                fr = cast_frs[rng.randrange(len(cast_frs))]
                slot = 2 if p.group == "va_ja" else 4
                free = [c for c in fr.chars if c[slot + 1] is False]
                if free:
                    c = rng.choice(free)
                else:
                    c = self.new_char(fr)
                    fr.chars.append(c)
                c[slot] = p
                c[slot + 1] = True
                continue
            for _ in range(20):
                wi = rng.randrange(len(works))
                if cap[wi] < 8:
                    break
            cap[wi] += 1
            self.guaranteed[wi].append(p)

    def new_char(self, fr):
        """[cid, name, ja_person, ja_fixed, en_person, en_fixed]"""
        rng = self.rng
        self.char_seq += rng.randint(1, 7)
        if rng.random() < 0.7:
            f = rng.choice(FAMILY)[0]
            g = rng.choice(FEMALE if rng.random() < 0.5 else MALE)[0]
            name = "%s %s" % (g, f)
            if rng.random() < 0.6:
                name = name.translate(STRIP_TT)
        else:
            syl = ["Ra", "Zel", "Ven", "Li", "Gour", "Ny", "Sha", "Kai", "Mor", "Ael", "Dra",
                   "Fey", "Jet", "Spi", "Val", "Ori", "Tam", "Quin", "Bel", "Rho"]
            name = "%s%s %s%s" % (rng.choice(syl), rng.choice(["na", "gas", "rey", "ke", "ra", ""]),
                                  rng.choice(syl), rng.choice(["dis", "ton", "ev", "mont", "ier", "o"]))
        ja = self.group_pick["va_ja"](rng) if "va_ja" in self.group_pick and rng.random() < 0.97 else None
        en = self.group_pick["va_en"](rng) if "va_en" in self.group_pick and rng.random() < 0.7 else None
        return [self.char_seq, name, ja, False, en, False]

    def pick_for(self, fam):
        rng = self.rng
        g = ROLE_GROUP[fam]
        if fam == "theme" and rng.random() < 0.3:
            g = "music"
        if g in self.group_pick and (rng.random() < 0.75 or self.crew_pick is None):
            return self.group_pick[g](rng)
        if self.crew_pick is not None:
            return self.crew_pick(rng)
        return self.group_pick[rng.choice(sorted(self.group_pick))](rng)

    def work_credits(self, w, huge):
        """[(person|None, text, role, note, families)]"""
        rng = self.rng
        fr = w.fr
        lo, hi = CREDIT_RANGE[w.kind]
        if huge:
            n = rng.randint(1500, 4000)
        else:
            n = rng.randint(lo, hi)
        fams = []
        for fam in CORE[w.kind]:
            if fam == "original" and rng.random() < 0.45:
                continue
            fams.append(fam)
            if fam == "animdir" and w.kind in ("Series", "Movie"):
                fams += ["animdir"] * rng.randint(0, 2)
            if fam == "producer" and rng.random() < 0.5:
                fams.append("producer")
        guar = self.guaranteed[w.idx]
        n = max(n, len(fams) + len(guar))
        n = min(n, max(hi, len(fams) + len(guar))) if not huge else n
        while len(fams) + len(guar) < n:
            fams.append(FILL_CHOICE(rng))
        out = []
        for fam in fams:
            if fam in fr.core and rng.random() < 0.6:
                p = fr.core[fam]
            else:
                p = self.pick_for(fam)
            out.append([p, fam])
        for p in guar:
            out.insert(rng.randrange(len(out) + 1), [p, rng.choice(GROUP_FAMILIES[p.group])])
        credits = []
        for i, (p, fam) in enumerate(out):
            fams_of = (fam,)
            r = rng.random()
            if r < 0.04 and not huge:
                combo = [c for c in MULTI_ROLES if c[0][0] == fam]
                if combo:
                    fams_of, forms = combo[0]
                    role = rng.choice(forms)
                else:
                    role = ROLE_SPELL[fam](rng)
            else:
                role = ROLE_SPELL[fam](rng)
            note = self.credit_note(w, fam, huge)
            if rng.random() < 0.02 and not huge:
                # plain-text, unlinked credit (the person does not get the row)
                txt = p.name_variant(rng) if rng.random() < 0.5 else self.make_person(0, "staff").title
                credits.append((None, txt, role, note, fams_of))
                continue
            credits.append((p, p.name_variant(rng), role, note, fams_of))
        return credits

    def credit_note(self, w, fam, huge):
        rng = self.rng
        if huge:
            return "Episode %d." % rng.randint(1, max(1, w.n_ep or 26))
        if rng.random() >= 0.2:
            return None
        r = rng.random()
        if r < 0.3 and w.kind == "Series":
            a = rng.randint(1, (w.n_ep or 26))
            b = rng.randint(1, (w.n_ep or 26))
            c = rng.randint(1, (w.n_ep or 26))
            a, b, c = sorted({a, b, c} | {a}) + [c] * (3 - len({a, b, c}))
            return rng.choice(["Episodes %d, %d and %d." % (a, b, c), "Episode %d." % a,
                               "Eps. %d-%d." % (min(a, b), max(a, b) + 1)])
        if r < 0.5:
            return "\u201c%s\u201d segment." % self.ep_subtitle() if rng.random() < 0.5 else \
                "%s segment." % self.ep_subtitle()
        if r < 0.65:
            return "With %s." % self.people[rng.randrange(len(self.people))].title
        return rng.choice(NOTE_FIXED)

    # ---- prose ----
    def work_desc(self, w, pg, credits, cast, mentions):
        rng = self.rng
        paras = []
        first = {}
        for c in credits:
            if c[0] is not None and c[4][0] not in first:
                first[c[4][0]] = c
        kl = w.kind.lower() if w.kind != "OVA" else "OVA"

        def plink(fam):
            c = first.get(fam)
            if c is None:
                return None
            if rng.random() < 0.75:
                return link(pg, c[0].path, c[0].name_variant(rng))
            return pg.t(c[0].name_variant(rng))

        s = []
        plot = "%s %s %s." % (rng.choice(PROTAG), rng.choice(GOAL), rng.choice(SETTING))
        s.append(pg.prose("In this %d %s, %s" % (w.year, kl, plot)))
        d = plink("director")
        if d:
            s.append(pg.prose("It was directed by ") + d + pg.prose(
                " and %s." % rng.choice(RECEPTION)))
        if rng.random() < 0.3:
            cname = rng.choice(COMPANIES)
            s.append(pg.prose("Production was handled by ") +
                     '<a href="/%s/9-%d/">%s</a>' % (slugify(cname), rng.randint(100, 600), pg.t(cname)) +
                     pg.prose(", which %s." % rng.choice(["also produced its sequel", "folded a few years later",
                                                          "was founded by former staff of a larger studio",
                                                          "specialised in television work"])))
        paras.append(" ".join(s))
        s = []
        m = plink("music")
        if m:
            s.append(pg.prose("The score by ") + m + pg.prose(" mixes %s with %s." % (
                rng.choice(STYLE), rng.choice(STYLE))))
        cd = plink("chardesign")
        if cd:
            s.append(cd + pg.prose(" designed the characters, and the %s is remembered for %s." % (
                kl, rng.choice(PRAISE))))
        for _ in range(rng.randint(1, 3)):
            s.append(pg.prose(rng.choice(FILLER)))
        if pg.curly:
            s.append(esc(rng.choice(TYPO_WORK)))
        if s:
            paras.append(" ".join(s))
        s = []
        for _ in range(rng.randint(2, 4)):
            s.append(pg.prose("%s %s %s %s." % (rng.choice(["Later,", "Meanwhile,", "In the second half,",
                                                            "At the same time,", "Years earlier,"]),
                                                 rng.choice(PROTAG), rng.choice(GOAL), rng.choice(SETTING))))
        s.append(pg.prose("Critics praised %s, and the %s %s." % (rng.choice(PRAISE), kl, rng.choice(RECEPTION))))
        paras.append(" ".join(s))
        s = [pg.prose(x) for x in rng.sample(FILLER, rng.randint(1, 3))]
        if w.kind == "Episode":
            s.insert(0, pg.prose("The episode %s %s, while %s %s." % (
                rng.choice(["opens as", "begins when", "follows"]), rng.choice(PROTAG) + " " + rng.choice(GOAL),
                rng.choice(PROTAG), rng.choice(GOAL))))
        paras.append(" ".join(s))
        if cast:
            s = []
            for cpath, cname, jp, jt, ep, et in cast[:rng.randint(1, 3)]:
                if jp is not None and jt is not None:
                    t = pg.t(cname) + pg.prose(" is voiced by ") + link(pg, jp.path, jt)
                    if ep is not None and et is not None:
                        t += pg.prose(" in Japanese and by ") + link(pg, ep.path, et) + pg.prose(" in the English dub")
                    s.append(t + ".")
            if s:
                paras.append(" ".join(s))
        s = []
        for target_path, target_title in mentions:
            s.append(pg.prose(rng.choice(["See also ", "Compare ", "It is often discussed alongside "]))
                     + link(pg, target_path, target_title) + ".")
        if s:
            paras.append(" ".join(s))
        if "unclosed_p" in self.cur_flags and len(paras) > 1:
            body = "    <p>" + paras[0] + "\n" + "".join("    <p>%s</p>\n" % x for x in paras[1:])
        else:
            body = "".join("    <p>%s</p>\n" % x for x in paras)
        if "stray_p" in self.cur_flags:
            body = body.replace("</p>\n", "</p></p>\n", 1)
        return body

    def person_desc(self, p, pg, rows):
        rng = self.rng
        he = "She" if p.female else "He"
        his = "Her" if p.female else "His"
        occ = self.cur_occ
        nat = "American" if p.western and rng.random() < 0.7 else ("Canadian" if p.western else "Japanese")
        s = [pg.prose("%s is a %s %s." % (p.title, nat, occ))]
        if rows:
            href, title, role, year = rows[0]
            s.append(pg.prose("%s first credit on the wiki is %s on " % (his, role.lower())) +
                     '<a href="%s">%s</a>' % (href, pg.t(title)) + pg.prose(" (%s)." % year))
            if len(rows) > 2:
                href, title, role, year = rows[rng.randrange(1, len(rows))]
                s.append(pg.prose("%s later worked on " % he) + '<a href="%s">%s</a>' % (href, pg.t(title))
                         + pg.prose(", credited as %s." % role.lower()))
        paras = [" ".join(s)]
        if len(rows) > 1:
            sel = rows[:]
            rng.shuffle(sel)
            sel = sorted(sel[:rng.randint(2, 6)], key=lambda r: (r[3], r[1]))
            paras.append(pg.prose("Selected works: ") + ", ".join(
                '<a href="%s">%s</a>%s' % (h, pg.t(t), pg.t(" (%s)" % y) if y else "") for h, t, r, y in sel) + ".")
        s = [pg.prose("%s %s." % (he, rng.choice(BIO_ACTS))) for _ in range(rng.randint(1, 3))]
        if pg.curly:
            s.append(esc(rng.choice(TYPO_PERSON).format(n=p.title)))
        paras.append(" ".join(s))
        if len(rows) > 2:
            s = []
            for h, t, r, y in rows[1:1 + rng.randint(2, 5)]:
                s.append(pg.prose("%s %s " % (("In %s," % y) if y else "Later,", he.lower())) +
                         pg.prose(rng.choice(["worked on ", "joined the staff of ", "was credited on "])) +
                         '<a href="%s">%s</a>' % (h, pg.t(t)) + pg.prose(" as %s." % r.lower()))
            s.append(pg.prose(rng.choice(BIO_FILLER)))
            paras.append(" ".join(s))
        s = [pg.prose(x) for x in rng.sample(BIO_FILLER, rng.randint(3, 6))]
        paras.append(" ".join(s))
        s = [pg.prose("%s %s %s %s." % (rng.choice(["Fans remember", "Critics singled out", "Colleagues praised",
                                                    "Retrospectives often mention"]),
                                         his.lower(), rng.choice(["work on", "contribution to", "approach to"]),
                                         rng.choice(PRAISE))) for _ in range(rng.randint(1, 3))]
        paras.append(" ".join(s))
        s = [pg.prose("%s %s." % (he, x)) for x in rng.sample(BIO_ACTS, rng.randint(2, 4))]
        if rng.random() < 0.01:
            gid, gslug = rng.choice(self.ghost_works)
            s.append(pg.prose("%s also contributed to " % he) + '<a href="/%s/12-%d/">a project that has since been removed</a>.' % (gslug, gid))
        paras.append(" ".join(s))
        body = "".join("    <p>%s</p>\n" % x for x in paras)
        if "stray_p" in self.cur_flags:
            body = body.replace("</p>\n", "</p></p>\n", 1)
        return body

    def work_aliases(self, w):
        rng = self.rng
        cands = []
        if w.title_ro and w.title_ro != w.title:
            cands.append(w.title_ro)
            if NONASCII_RE.search(w.title_ro) and rng.random() < 0.5:
                cands.append(w.title_ro.translate(STRIP_TT))
        if w.title_en != w.title:
            cands.append(w.title_en)
        if rng.random() < 0.6 and w.kind != "Episode":
            cands.append(w.title_jp)
        r = rng.random()
        if r < 0.15:
            cands.append(w.title)
        elif r < 0.25:
            cands.append(w.title.upper())
        elif r < 0.32:
            cands.append(w.title.lower() + ".")
        elif r < 0.40:
            cands.append(w.title + "!")
        words = w.title.split()
        if len(words) >= 3 and rng.random() < 0.3:
            cands.append("".join(x[0] for x in words if x[0].isalpha()).upper())
        if rng.random() < 0.02:
            cands.append(w.title + "\u200b")
        if rng.random() < 0.03:
            cands.append(w.title + "\xa0\u2013 " + rng.choice(EP_NOUN))
        rng.shuffle(cands)
        return cands

    def releases(self, w):
        rng = self.rng
        n = RELEASES_N(rng)
        if w.kind == "Episode":
            n = min(n, 2)
        y = w.year
        m = rng.randint(1, 12)
        d = rng.randint(1, 28)
        out = []
        jp_first = rng.random() < 0.6
        names = [("jp", w.title_jp), ("en", w.title_en)]
        if not jp_first:
            names.reverse()
        extras = ["%s (Special Edition)" % w.title_en, "%s: Director's Cut" % w.title_en,
                  "%s (Blu-ray)" % w.title_en, "%s Remastered" % w.title_en]
        for i in range(n):
            if i < 2:
                lang, name = names[i]
            else:
                lang, name = "en", extras[i - 2]
            if lang == "jp":
                yy, mm, dd = y, m, d
                if w.kind == "Series" and rng.random() < 0.5:
                    f = RANGE_FORM(rng)
                    ey, em = add_months(yy, mm, max(2, (w.n_ep or 12) // 4))
                    date = "%s - %s" % (fmt_date(rng, yy, mm, dd, f), fmt_date(rng, ey, em, rng.randint(1, 28), f))
                else:
                    date = fmt_date(rng, yy, mm, dd, DATE_FORM_JP(rng))
            else:
                yy = min(2025, y + (0 if i == 0 and not jp_first else rng.randint(0, 6)))
                em = rng.randint(1, 12) if yy > y or (i == 0 and not jp_first) else rng.randint(m, 12)
                date = fmt_date(rng, yy, em, rng.randint(1, 28), DATE_FORM(rng))
            out.append((name, date))
        return out

    def generate(self, out_dir, n_works, n_people):
        rng = self.rng
        t0 = time.time()
        pool_n = self.build(n_works, n_people)
        self.char_seq = rng.randint(10000, 20000)
        self.assign()
        works, people = self.works, self.people
        page_people = [p for p in people if p.has_page]
        n_pages = len(works) + len(page_people)

        # page-level variations, exact counts over all entity pages
        k1 = max(1, int(round(n_pages * 0.02)))   # windows-1252, <meta> only
        k2 = max(1, int(round(n_pages * 0.01)))   # windows-1252, HTTP header only
        k3 = max(1, int(round(n_pages * 0.003)))  # windows-1252, undeclared
        enc_order = rng.sample(range(n_pages), min(n_pages, k1 + k2 + k3))
        enc_of = {}
        for j, i in enumerate(enc_order):
            enc_of[i] = "meta1252" if j < k1 else ("hdr1252" if j < k1 + k2 else "none1252")
        page_flags = [set() for _ in range(n_pages)]
        for name, rate in (("nocanon", 0.05), ("unclosed_td", 0.015), ("stray_p", 0.02),
                           ("unclosed_p", 0.03), ("aliases_unclosed", 0.01),
                           ("aliases_missing", 0.12), ("aliases_empty", 0.02),
                           ("aliases_first", 0.10), ("reorder", 0.10), ("comment2", 0.06),
                           ("adscript", 0.05), ("jaent", 0.02), ("named", 0.03), ("curly", 0.35)):
            for i in exact_pick(rng, n_pages, rate):
                page_flags[i].add(name)
        nw = len(works)
        for name, rate in (("br_genres", 0.05), ("comment", 0.02), ("script", 0.02),
                           ("genre_placeholder", 0.05), ("name_ws", 0.03),
                           ("credits_first", 0.05)):
            for i in exact_pick(rng, nw, rate):
                page_flags[i].add(name)
        huge = exact_pick(rng, nw, 0.001) if nw >= 50 else set()
        redirected = sorted(exact_pick(rng, nw, 0.005)) if nw >= 20 else []
        mentions = [[] for _ in works]
        redirects = []
        for wi in redirected:
            w = works[wi]
            alt = w.title_ro if (w.title_ro and slugify(w.title_ro) != w.slug) else None
            old = slugify(alt) if alt else slugify(w.title_en + " " + rng.choice(["tv", "anime", "series"]))
            if old == w.slug:
                old = w.slug + "-tv"
            w.old_slug = old
            old_path = "/%s/12-%d/" % (old, w.wid)
            redirects.append((old_path, w.path))
            for _ in range(2):
                mentions[rng.randrange(nw)].append((old_path, w.title))
        for wi in exact_pick(rng, nw, 0.01):
            gid, gslug = rng.choice(self.ghost_works)
            mentions[wi].append(("/%s/12-%d/" % (gslug, gid), gslug.replace("-", " ").title()))
        for w in works:
            if rng.random() < 0.15:
                other = works[rng.randrange(nw)]
                if other is not w:
                    mentions[w.idx].append((other.path, other.title))
        tree = Tree(out_dir)
        manifest = []
        charset_lines = []
        sitemap = []
        day0 = datetime.date(2008, 6, 1)

        # ---- works ----
        total_bytes = 0
        for w in works:
            i = w.idx
            flags = page_flags[i]
            self.cur_flags = flags
            enc = enc_of.get(i, "utf8")
            p_num = 0.9 if "jaent" in flags else 0.03
            p_named = 1.0 if "named" in flags else 0.03
            pg = Page(rng, p_num, p_named, curly=("curly" in flags) or enc != "utf8")
            creds = self.work_credits(w, i in huge)
            # same person twice with another role; the same credit twice
            r = rng.random()
            linked = [c for c in creds if c[0] is not None]
            if r < 0.08 and linked and len(creds) < 40:
                c = rng.choice(linked)
                fam = rng.choice(["screenplay", "storyboard", "original", "keyanim", "animdir"])
                creds.insert(creds.index(c) + 1, (c[0], c[0].name_variant(rng), ROLE_SPELL[fam](rng),
                                                  self.credit_note(w, fam, False), (fam,)))
            elif r < 0.10 and creds and len(creds) < 40:
                c = rng.choice(creds)
                creds.insert(creds.index(c) + 1, c)
            # cast
            cast = []
            fr = w.fr
            if fr.has_cast and fr.chars:
                main = fr.members[0] is w
                want = w.kind != "Episode" or rng.random() < 0.3
                if main or (want and rng.random() < 0.6):
                    chars = fr.chars if main else fr.chars[:rng.randint(min(2, len(fr.chars)), len(fr.chars))]
                    if w.kind == "Episode":
                        chars = chars[:5]
                    for cid, cname, ja, jfix, en, efix in chars:
                        cpath = "/%s/18-%d/" % (slugify(cname), cid)
                        jt = ja.name_variant(rng) if ja is not None and (jfix or rng.random() >= 0.03) else None
                        et = en.name_variant(rng) if en is not None else None
                        jp_ = ja if jt is not None else None
                        if jt is not None and rng.random() < 0.01:
                            jp_ = None  # plain-text voice actor
                        cast.append((cpath, cname, jp_, jt, en if et is not None else None, et))
                        if jp_ is not None:
                            jp_.rows.setdefault(w.idx, []).append("Voice of %s" % cname)
                        if et is not None:
                            en.rows.setdefault(w.idx, []).append("Voice of %s (English)" % cname)
            for c in creds:
                if c[0] is not None:
                    lst = c[0].rows.setdefault(w.idx, [])
                    for fam in c[4]:
                        canon = ROLE_CANON[fam]
                        if canon not in lst:
                            lst.append(canon)
            relations = []
            if len(fr.members) > 1 and rng.random() < 0.8:
                relations = [(x.path, x.title) for x in fr.members if x is not w][:10]
            desc = self.work_desc(w, pg, creds, cast, mentions[i])
            plot_deck = "%s %s %s." % (rng.choice(PROTAG), rng.choice(GOAL), rng.choice(SETTING))
            deck = pg.prose(plot_deck[0].upper() + plot_deck[1:])
            text = render_work(w, [c[:4] for c in creds], cast, relations, desc, deck,
                               self.releases(w), self.work_aliases(w), flags, enc, pg)
            data = encode(text, enc)
            total_bytes += len(data)
            rel = w.path[1:] + "index.html"
            tree.write(rel, data)
            if enc != "utf8":
                tree.write(rel + ".headers", SIDECAR[enc])
                charset_lines.append(charset_block(w.path, enc))
            manifest.append((w.path, "12-%d" % w.wid, w.kind, hashlib.sha256(data).hexdigest()))
            sitemap.append((w.wid, 0, w.path, (day0 + datetime.timedelta(days=rng.randrange(6050))).isoformat()))

        # ---- people ----
        for j, p in enumerate(page_people):
            i = nw + j
            flags = page_flags[i]
            self.cur_flags = flags
            enc = enc_of.get(i, "utf8")
            p_num = 0.9 if "jaent" in flags else 0.03
            p_named = 1.0 if "named" in flags else 0.03
            pg = Page(rng, p_num, p_named, curly=("curly" in flags) or enc != "utf8")
            rows = []
            for wi, roles in p.rows.items():
                w = works[wi]
                href = w.path
                if w.old_slug and rng.random() < 0.5:
                    href = "/%s/12-%d/" % (w.old_slug, w.wid)
                elif rng.random() < 0.01:
                    href = HOST + href
                if roles[0].startswith("Voice of"):
                    role = roles[0]
                elif len(roles) > 1 and rng.random() < 0.3:
                    role = ", ".join(roles[:2])
                else:
                    role = roles[0]
                year = str(w.year) if rng.random() < 0.99 else ""
                rows.append((href, w.title, role, year))
            rows.sort(key=lambda r: (r[3] or "9999", r[1]))
            if rng.random() < 0.005:
                gid, gslug = rng.choice(self.ghost_works)
                rows.append(("/%s/12-%d/" % (gslug, gid), gslug.replace("-", " ").title(), "Director",
                             str(rng.randint(1990, 2012))))
            self.cur_occ = rng.choice(OCCUP[p.group])
            first_year = min([int(r[3]) for r in rows if r[3]] or [2000])
            details = self.person_details(p, pg, first_year)
            aliases = self.person_aliases(p)
            desc = self.person_desc(p, pg, rows)
            deck = pg.prose(self.person_deck(p))
            text = render_person(p, rows, desc, deck, details, aliases, flags, enc, pg)
            data = encode(text, enc)
            total_bytes += len(data)
            rel = p.path[1:] + "index.html"
            tree.write(rel, data)
            if enc != "utf8":
                tree.write(rel + ".headers", SIDECAR[enc])
                charset_lines.append(charset_block(p.path, enc))
            manifest.append((p.path, "26-%d" % p.pid, "Person", hashlib.sha256(data).hexdigest()))
            sitemap.append((p.pid, 1, p.path, (day0 + datetime.timedelta(days=rng.randrange(6050))).isoformat()))

        # ---- indexes, home, robots, sitemap, redirects ----
        wentries = []
        for w in works:
            href = w.path if rng.random() >= 0.01 else HOST + w.path
            wentries.append((href, esc(w.title), w.kind))
        wentries.sort(key=lambda e: index_key(e[1], e[0]))
        pentries = []
        for p in page_people:
            href = p.path if rng.random() >= 0.01 else HOST + p.path
            txt = esc(p.title)
            if rng.random() < 0.03:
                txt = numeric(txt)
            pentries.append((href, txt, "Person"))
        pentries.sort(key=lambda e: index_key(e[1], e[0]))
        for rel, data in sorted(render_indexes("anime", wentries).items()):
            tree.write(rel, data)
        for rel, data in sorted(render_indexes("people", pentries).items()):
            tree.write(rel, data)
        featured = [(works[k].path, works[k].title) for k in rng.sample(range(nw), min(3, nw))]
        tree.write("index.html", render_home(featured).encode("utf-8"))
        tree.write("robots.txt", ROBOTS.encode("ascii"))
        sitemap.sort(key=lambda e: (e[1], e[0]))
        tree.write("sitemap.xml", render_sitemap([(e[2], e[3]) for e in sitemap]))
        redirects.sort()
        tree.write("_redirects", "".join("%s %s 301\n" % r for r in redirects).encode("utf-8"))
        tree.write("nginx-redirects.conf", "".join(
            "location = %s { return 301 %s; }\n" % r for r in redirects).encode("utf-8"))
        charset_lines.sort()
        tree.write("nginx-charset.conf", "".join(charset_lines).encode("utf-8"))
        manifest.sort()
        tree.write("MANIFEST.tsv", "".join("%s\t%s\t%s\t%s\n" % m for m in manifest).encode("utf-8"))

        n_chars = sum(len(fr.chars) for fr in self.frs)
        linked_people = sum(1 for p in people if p.rows)
        dt = time.time() - t0
        sys.stderr.write(
            "gen-wiki: generated %d entity pages (%d works, %d people) in %.1f s; %.1f MB, "
            "avg %.1f KB/page\n"
            "gen-wiki:   %d credited people (%d without a page), %d character ids (no pages), "
            "%d windows-1252 pages, %d redirects, %d huge works, %d index pages\n"
            % (n_pages, nw, len(page_people), dt, total_bytes / 1e6, total_bytes / 1024.0 / max(1, n_pages),
               linked_people, linked_people - len(page_people), n_chars, len(charset_lines),
               len(redirects), len(huge),
               (len(wentries) + 99) // 100 + (len(pentries) + 99) // 100))

    def person_deck(self, p):
        rng = self.rng
        occ = self.cur_occ
        if p.western:
            return "%s %s." % (rng.choice(["American", "Voice-over artist and"]), occ)
        return rng.choice(["Japanese %s." % occ, "%s%s, active since the %ds." % (
            occ[0].upper(), occ[1:], rng.choice([1970, 1980, 1990, 2000, 2010])),
            "Japanese %s known for %s." % (occ, rng.choice(PRAISE))])

    def person_details(self, p, pg, first_year=2000):
        rng = self.rng
        rows = []
        name = pg.t(p.title)
        if rng.random() < 0.02:
            name = "\n          %s  " % name
        rows.append(("Name:", name))
        if not p.western and rng.random() < 0.95:
            rows.append(("Japanese Name:", pg.t(p.native(p.native_space))))
        if rng.random() < 0.85:
            by = first_year - rng.randint(18, 45)
            rows.append(("Birthday:", pg.t(fmt_date(rng, by, rng.randint(1, 12), rng.randint(1, 28),
                                                    DATE_FORM_JP(rng) if not p.western else DATE_FORM(rng)))))
            if rng.random() < 0.03:
                rows.append(("Death:", pg.t(fmt_date(rng, min(2024, by + rng.randint(40, 85)),
                                                     rng.randint(1, 12), rng.randint(1, 28), DATE_FORM(rng)))))
        if rng.random() < 0.95:
            rows.append(("Gender:", "Female" if p.female else "Male"))
        if rng.random() < 0.7:
            rows.append(("Hometown:", pg.t(rng.choice(HOMETOWNS_W if p.western else HOMETOWNS_JP))))
        if rng.random() < 0.12:
            host = p.slug.replace("-", "") + rng.choice([".jp", ".com", ".net"])
            rows.append(("Website:", '<a href="http://www.%s/" rel="nofollow">%s</a>' % (host, host)))
        return rows

    def person_aliases(self, p):
        rng = self.rng
        if p.western:
            c = ["%s %s" % (p.giv, p.fam), p.title.upper(), "%s %s. %s" % (p.giv, rng.choice("ABCDJMRS"), p.fam)]
            return [x for x in rng.sample(c, rng.randint(0, 2)) if x != p.title]
        if p.fam is None:
            return [x for x in [p.giv, p.giv_k, p.title.upper()] if x != p.title][:rng.randint(1, 3)]
        g, f = p.giv, p.fam
        c = ["%s %s" % (g, f), ("%s %s" % (g, f)).translate(STRIP_TT), ("%s %s" % (g, f)).translate(OU_TT),
             ("%s %s" % (f, g)), ("%s %s" % (f, g)).translate(STRIP_TT),
             "%s %s" % (f.translate(STRIP_TT).upper(), g.translate(STRIP_TT)),
             p.native(not p.native_space), ("%s %s" % (f, g)).translate(OH_TT)]
        seen = [p.title]
        out = []
        for x in rng.sample(c, rng.randint(1, 5)):
            if x not in seen:
                seen.append(x)
                out.append(x)
        return out


# --------------------------------------------------------------------------
# Mutate

LI_RE = re.compile(r'<li><a href="([^"]*)">(.*?)</a> <span class="type">([^<]*)</span></li>')
URL_RE = re.compile(r"<url><loc>([^<]*)</loc><lastmod>([^<]*)</lastmod></url>")
MASK_RE = re.compile(r"<!--.*?-->|<script.*?</script>", re.S)
LINKID_RE = re.compile(rb"/[A-Za-z0-9%._~-]+/(12|26)-(\d+)/")
CREDIT_LINK_RE = re.compile(r'<div class="credit-person"><a href="(/[a-z0-9-]+/26-(\d+)/)">([^<&]*)</a></div>')
H1_RE = re.compile(r'<h1><a href="([^"]*)">(.*?)</a></h1>')


def mask(text):
    return MASK_RE.sub(lambda m: " " * len(m.group(0)), text)


class Mutator(object):
    def __init__(self, root, fraction, seed):
        self.root = root
        self.fraction = fraction
        self.seed = seed
        self.tree = Tree(root)

    def read_page(self, path):
        rel = path[1:] + "index.html"
        full = os.path.join(self.root, rel)
        with open(full, "rb") as f:
            data = f.read()
        cp = os.path.exists(full + ".headers")
        return rel, (data.decode("cp1252") if cp else data.decode("utf-8")), ("cp1252" if cp else "utf8")

    def run(self):
        t0 = time.time()
        root = self.root
        with open(os.path.join(root, "MANIFEST.tsv"), "rb") as f:
            mbytes = f.read()
        man = [line.split("\t") for line in mbytes.decode("utf-8").splitlines() if line]
        N = len(man)
        rng = random.Random("mutate:%d:%r:%s" % (self.seed, self.fraction, hashlib.sha256(mbytes).hexdigest()))
        gen = Generator(rng)
        gen.cur_flags = set()
        F = self.fraction
        n_change = int(round(N * F / 2))
        n_add = int(round(N * F / 4))
        n_del = int(round(N * F / 4))
        n_change = min(n_change, max(0, N - n_del))
        order = rng.sample(range(N), n_change + n_del)
        del_set = set(order[:n_del])
        chg_list = sorted(order[n_del:])

        # ids in use anywhere (pages and links), no-page people seen in credits
        used = {b"12": set(), b"26": set()}
        nopage = []
        page_ids = set(m[1] for m in man)
        for k, m in enumerate(man):
            full = os.path.join(root, m[0][1:], "index.html")
            with open(full, "rb") as f:
                data = f.read()
            for t, num in LINKID_RE.findall(data):
                used[t].add(int(num))
            if len(nopage) < 200 and k % 7 == 0:
                try:
                    text = data.decode("utf-8")
                except UnicodeDecodeError:
                    continue
                for href, num, txt in CREDIT_LINK_RE.findall(mask(text)):
                    if "26-" + num not in page_ids and txt.strip():
                        nopage.append(Ext(int(num), href, txt.strip()))
        next_id = {"12": max(used[b"12"] | {1000}), "26": max(used[b"26"] | {1000})}

        def new_id(t):
            next_id[t] += rng.randint(1, 40)
            return next_id[t]

        # sitemap
        with open(os.path.join(root, "sitemap.xml"), "r", encoding="utf-8") as f:
            sm = URL_RE.findall(f.read())
        last = max([d for _, d in sm] or ["2024-12-31"])
        new_date = (datetime.date.fromisoformat(last[:10]) + datetime.timedelta(days=1)).isoformat()

        # ---- changes ----
        changed_paths = []
        stats = {"desc": 0, "date": 0, "credit": 0, "new-credit-row": 0}
        chg_people = [man[i] for i in chg_list if man[i][2] == "Person"]
        n_new_works = (n_add + 1) // 2
        n_new_people = n_add - n_new_works
        credited_ext = []  # existing people credited by new works
        if n_new_works:
            for m in chg_people[:2 * n_new_works]:
                rel, text, enc = self.read_page(m[0])
                h = H1_RE.search(text)
                credited_ext.append(Ext(int(m[1].split("-")[1]), m[0], html.unescape(h.group(2)) if h else m[0]))
        credited_paths = set(e.path for e in credited_ext)

        # ---- new pages (model first, so rows for existing people are known) ----
        new_people = []
        for _ in range(n_new_people):
            p = gen.make_person(new_id("26"), rng.choice(["director", "animator", "animator", "writer", "va_ja"]))
            p.has_page = True
            p.rows = {}
            new_people.append(p)
        gen.people = new_people + credited_ext + nopage[:20] or [Ext(0, "/", "Jun Miyake")]
        gen.ghost_works = [(rng.randint(100, 999), "lost-project")]
        new_works = []
        ext_rows = {}
        for k in range(n_new_works):
            w = Work()
            w.idx = -1 - k
            w.wid = new_id("12")
            fr = Franchise()
            fr.base_en, fr.base_ro, fr.base_jp = gen.jp_title()
            fr.year = rng.randint(2023, 2025)
            fr.members = [w]
            fr.chars = []
            fr.core = {}
            fr.has_cast = False
            w.fr = fr
            w.kind = rng.choice(["Series", "Movie", "OVA"])
            w.title_en, w.title_ro, w.title_jp = fr.base_en, fr.base_ro, fr.base_jp
            w.title = w.title_ro if (w.title_ro and rng.random() < 0.45) else w.title_en
            w.slug = slugify(w.title)
            w.path = "/%s/12-%d/" % (w.slug, w.wid)
            w.year = fr.year
            w.old_slug = None
            w.sub_no = 0
            w.n_ep = 12 if w.kind == "Series" else None
            w.minutes = 24 if w.kind == "Series" else rng.randint(30, 120)
            w.genres = rng.sample(GENRES, rng.randint(1, 3))
            w.themes = rng.sample(THEMES, rng.randint(0, 2))
            cands = [p for j, p in enumerate(new_people) if j % n_new_works == k]
            cands += [e for j, e in enumerate(credited_ext) if j % n_new_works == k]
            cands += rng.sample(nopage, min(len(nopage), rng.randint(1, 4)))
            creds = []
            fams = ["director", "screenplay", "chardesign", "music", "animdir", "keyanim", "keyanim", "storyboard"]
            for j, p in enumerate(cands):
                fam = fams[j % len(fams)]
                creds.append((p, p.name_variant(rng), ROLE_SPELL[fam](rng), gen.credit_note(w, fam, False), (fam,)))
                if isinstance(p, Person):
                    p.rows.setdefault(w.idx, []).append(ROLE_CANON[fam])
                elif p.path in credited_paths:
                    ext_rows.setdefault(p.path, []).append((w.path, w.title, ROLE_CANON[fam], str(w.year)))
            while len(creds) < 5:
                fam = rng.choice(["keyanim", "inbetween", "producer"])
                creds.append((None, gen.make_person(0, "staff").title, ROLE_SPELL[fam](rng), None, (fam,)))
            new_works.append((w, creds))

        for i in chg_list:
            path, eid, kind, _ = man[i]
            rel, text, enc = self.read_page(path)
            new = text
            if path in ext_rows:
                new = self.add_rows(new, ext_rows[path])
                stats["new-credit-row"] += 1
            else:
                for what in rng.sample(["desc", "date", "credit"], 3):
                    cand = getattr(self, "edit_" + what)(new, kind, rng, gen)
                    if cand is not None and cand != new:
                        new = cand
                        stats[what] += 1
                        break
            if new == text:
                new = self.edit_desc(text, kind, rng, gen) or text.replace("</body>", "<!-- edited -->\n</body>", 1)
                stats["desc"] += 1
            data = encode(new, "utf8" if enc == "utf8" else "cp1252")
            self.tree.replace(rel, data)
            man[i][3] = hashlib.sha256(data).hexdigest()
            changed_paths.append(path)

        # ---- write new pages ----
        added = []
        for w, creds in new_works:
            pg = Page(rng, 0.03, 0.03, curly=rng.random() < 0.35)
            desc = gen.work_desc(w, pg, creds, [], [])
            deck = "%s %s %s." % (rng.choice(PROTAG), rng.choice(GOAL), rng.choice(SETTING))
            deck = pg.prose(deck[0].upper() + deck[1:])
            text = render_work(w, [c[:4] for c in creds], [], [], desc, deck, gen.releases(w),
                               gen.work_aliases(w), set(), "utf8", pg)
            data = text.encode("utf-8")
            self.tree.replace(w.path[1:] + "index.html", data)
            added.append([w.path, "12-%d" % w.wid, w.kind, hashlib.sha256(data).hexdigest(), w.title])
        wtitle = dict((w.idx, w) for w, _ in new_works)
        for p in new_people:
            pg = Page(rng, 0.03, 0.03, curly=rng.random() < 0.35)
            rows = [(wtitle[wi].path, wtitle[wi].title, roles[0], str(wtitle[wi].year))
                    for wi, roles in p.rows.items()]
            gen.cur_occ = rng.choice(OCCUP[p.group])
            details = gen.person_details(p, pg, 2000)
            text = render_person(p, rows, gen.person_desc(p, pg, rows), pg.prose(gen.person_deck(p)),
                                 details, gen.person_aliases(p), set(), "utf8", pg)
            data = text.encode("utf-8")
            self.tree.replace(p.path[1:] + "index.html", data)
            added.append([p.path, "26-%d" % p.pid, "Person", hashlib.sha256(data).hexdigest(), p.title])

        # ---- deletions ----
        deleted = [man[i] for i in sorted(del_set)]
        for m in deleted:
            d = os.path.join(root, m[0][1:])
            for name in ("index.html", "index.html.headers"):
                try:
                    os.remove(os.path.join(d, name))
                except FileNotFoundError:
                    pass
            for dd in (d.rstrip("/"), os.path.dirname(d.rstrip("/"))):
                try:
                    os.rmdir(dd)
                except OSError:
                    pass
        del_paths = set(m[0] for m in deleted)

        # ---- indexes ----
        idx_written = 0
        for section, kinds in (("anime", None), ("people", "Person")):
            entries = []
            page = 1
            while True:
                f = os.path.join(root, index_file(section, page))
                if not os.path.exists(f):
                    break
                with open(f, "r", encoding="utf-8") as fh:
                    entries += LI_RE.findall(fh.read().split('<ul class="editorial-list">', 1)[1].split("</ul>", 1)[0])
                page += 1
            old_pages = page - 1
            keep = []
            for href, txt, typ in entries:
                p = href[len(HOST):] if href.startswith(HOST) else href
                if p not in del_paths:
                    keep.append((href, txt, typ))
            for a in added:
                if (a[2] == "Person") == (section == "people"):
                    keep.append((a[0], esc(a[4]), a[2]))
            keep.sort(key=lambda e: index_key(e[1], e[0]))
            files = render_indexes(section, keep)
            for rel, data in sorted(files.items()):
                idx_written += self.tree.replace(rel, data)
            for pn in range(len(files) + 1, old_pages + 1):
                os.remove(os.path.join(root, index_file(section, pn)))
                idx_written += 1

        # ---- sitemap ----
        chg = set(changed_paths)
        out = []
        for loc, d in sm:
            p = loc[len(HOST):] if loc.startswith(HOST) else loc
            if p in del_paths:
                continue
            out.append((p, new_date if p in chg else d))
        for a in added:
            out.append((a[0], new_date))
        self.tree.replace("sitemap.xml", render_sitemap(out))

        # ---- charset include ----
        cf = os.path.join(root, "nginx-charset.conf")
        with open(cf, "r", encoding="utf-8") as f:
            lines = f.read().splitlines(True)
        lines = [l for l in lines if l.split(" ")[2][:-len("index.html")] not in del_paths]
        self.tree.replace("nginx-charset.conf", "".join(lines).encode("utf-8"))

        # ---- manifest ----
        man2 = [m for i, m in enumerate(man) if i not in del_set] + [a[:4] for a in added]
        man2.sort()
        self.tree.replace("MANIFEST.tsv", "".join("\t".join(m) + "\n" for m in man2).encode("utf-8"))
        sys.stderr.write(
            "gen-wiki: mutate %s --fraction %g: %d entity pages before, %d after\n"
            "gen-wiki:   changed %d (description %d, date %d, credit %d, new credit row %d)\n"
            "gen-wiki:   added %d (%d works, %d people), deleted %d (%d works, %d people)\n"
            "gen-wiki:   index pages rewritten/removed %d; lastmod of changed/added pages = %s; %.1f s\n"
            % (root, F, N, len(man2), len(changed_paths), stats["desc"], stats["date"], stats["credit"],
               stats["new-credit-row"], len(added), len(new_works), len(new_people), len(deleted),
               sum(1 for m in deleted if m[2] != "Person"), sum(1 for m in deleted if m[2] == "Person"),
               idx_written, new_date, time.time() - t0))

    # -- edits: each returns new text or None --
    def add_rows(self, text, rows):
        i = text.find('<table class="person-credits">')
        j = text.find("      </tbody>", i)
        if i < 0 or j < 0:
            return None
        add = "".join('        <tr><td><a href="%s">%s</a></td><td>%s</td><td>%s</td></tr>\n'
                      % (h, esc(t), esc(r), y) for h, t, r, y in rows)
        return text[:j] + add + text[j:]

    def edit_desc(self, text, kind, rng, gen):
        i = text.find('<div class="wiki-description" data-field="description">')
        if i < 0:
            return None
        j = text.find("\n  </div>", i)
        if j < 0:
            return None
        s = rng.choice(FILLER if kind != "Person" else BIO_FILLER)
        s = "%s (Edited: %s)" % (s, rng.choice(["source added", "typo fixed", "expanded",
                                                "citation needed", "clarified"]))
        return text[:j] + "\n    <p>%s</p>" % esc(s) + text[j:]

    def edit_date(self, text, kind, rng, gen):
        label = "<th>Birthday:</th><td>" if kind == "Person" else "<th>Release Date:</th><td>"
        hits = [m.end() for m in re.finditer(re.escape(label), text)]
        if not hits:
            return None
        k = rng.choice(hits)
        e = text.find("<", k)
        old = text[k:e]
        for _ in range(10):
            new = fmt_date(rng, rng.randint(1950 if kind == "Person" else 1970, 2024), rng.randint(1, 12),
                           rng.randint(1, 28), DATE_FORM(rng))
            if new != old:
                return text[:k] + new + text[e:]
        return None

    def edit_credit(self, text, kind, rng, gen):
        mk = mask(text)
        if kind == "Person":
            i = mk.find('<table class="person-credits">')
            if i < 0:
                return None
            hits = [m.start(1) for m in re.finditer(r"</a></td><td>([^<]*)</td><td>", mk[i:])]
            hits = [h + i for h in hits]
        else:
            hits = [m.end() for m in re.finditer(r'<div class="credit-role">', mk)]
            if hits and rng.random() < 0.3:
                j = mk.find('<ul class="credit-list">')
                k = mk.find("    </ul>", j)
                if j >= 0 and k >= 0:
                    fam = rng.choice(["keyanim", "inbetween", "producer", "music"])
                    li = ('      <li class="credit">\n        <div class="credit-person">%s</div>\n'
                          '        <div class="credit-role">%s</div>\n      </li>\n'
                          % (esc(gen.make_person(0, "staff").title), ROLE_SPELL[fam](rng)))
                    return text[:k] + li + text[k:]
        if not hits:
            return None
        k = rng.choice(hits)
        e = text.find("<", k)
        old = text[k:e]
        fam = SPELL_FAMILY.get(old.strip())
        spellings = [s for s, _ in ROLE_FAMILIES[fam][2]] if fam else []
        others = [s for s in spellings if s != old.strip()]
        new = rng.choice(others) if others else rng.choice(["Key Animation", "Storyboard", "Producer"])
        if new == old:
            return None
        return text[:k] + new + text[e:]


# --------------------------------------------------------------------------

def main(argv=None):
    ap = argparse.ArgumentParser(description="Synthetic Anime Vice-style wiki for benchmarks.")
    sub = ap.add_subparsers(dest="cmd")
    g = sub.add_parser("generate", help="write a new corpus")
    g.add_argument("out_dir")
    g.add_argument("--works", type=int, default=8000)
    g.add_argument("--people", type=int, default=12000)
    g.add_argument("--seed", type=int, default=1)
    m = sub.add_parser("mutate", help="change, add and delete some pages of a corpus")
    m.add_argument("out_dir")
    m.add_argument("--fraction", type=float, required=True)
    m.add_argument("--seed", type=int, default=1)
    args = ap.parse_args(argv)
    if args.cmd == "generate":
        if args.works < 1 or args.people < 1:
            ap.error("--works and --people must be at least 1")
        if os.path.exists(args.out_dir) and (not os.path.isdir(args.out_dir) or os.listdir(args.out_dir)):
            sys.stderr.write("gen-wiki: %s exists and is not an empty directory\n" % args.out_dir)
            return 2
        os.makedirs(args.out_dir, exist_ok=True)
        Generator(random.Random(args.seed)).generate(args.out_dir, args.works, args.people)
        return 0
    if args.cmd == "mutate":
        if not 0 <= args.fraction <= 1:
            ap.error("--fraction must be between 0 and 1")
        if not os.path.exists(os.path.join(args.out_dir, "MANIFEST.tsv")):
            sys.stderr.write("gen-wiki: %s has no MANIFEST.tsv (not a generated corpus)\n" % args.out_dir)
            return 2
        Mutator(args.out_dir, args.fraction, args.seed).run()
        return 0
    ap.print_help()
    return 2


if __name__ == "__main__":
    sys.exit(main())
