"""Short pages we wrote ourselves: error, log-in, consent, paywall and other stub pages (every line
chrome) and short notices (headline and text content), so the models learn what a short page is.

The corpora's only pages under five lines are Readability's test fixtures, nearly all content, so
each fit guessed its own way about a two-line page of chrome (docs/model-selection.md, "Pages of
chrome"). ``linesift datasets build`` writes these as the corpus ``stubs`` (datasets/corpora/stubs.md).
Every phrase here was written for linesift; the events in the briefs are invented.
"""

from __future__ import annotations

import json
import random
from pathlib import Path

from linesift.model.atomic import atomic_write

#: The corpus name the pages carry (a file stubs.jsonl in the built data).
CORPUS = "stubs"
#: The corpus name of the briefs with share buttons (in the same file): weighed apart from the
#: other stubs (training/recipe.py), since at the stubs' weight they cost WCXB's pages of short items.
SHARED_CORPUS = "stubs-shared"
#: The license of our own writing (the project's).
LICENSE = "ours (MIT)"
#: Fixed seed of the framing choices, so a build is byte-identical every time.
SEED = 20261206

# kind -> lang -> list of bodies (each a list of lines); every line of a stub page is chrome.
STUBS = {
    "notfound": {
        "en": [
            ["404", "Page not found", "Sorry, the page you were looking for doesn't exist or has been moved.", "Go back to the homepage"],
            ["Oops! That page can't be found.", "It looks like nothing was found at this location. Maybe try a search?", "Search for:"],
            ["Error 404", "The requested URL was not found on this server."],
            ["We couldn't find that page", "Check the address for typing errors, or use the menu to find what you need.", "Return home"],
        ],
        "de": [
            ["Seite nicht gefunden", "Die angeforderte Seite existiert leider nicht oder wurde verschoben.", "Zur Startseite"],
            ["Fehler 404", "Hoppla! Diese Seite gibt es nicht (mehr).", "Nutzen Sie die Suche oder kehren Sie zur Startseite zurück."],
        ],
        "fr": [
            ["Page introuvable", "La page que vous recherchez n'existe pas ou a été déplacée.", "Retour à l'accueil"],
            ["Erreur 404", "Désolé, cette page n'est plus disponible."],
        ],
        "es": [["Página no encontrada", "Lo sentimos, la página que buscas no existe o ha sido trasladada.", "Volver a la portada"]],
        "it": [["Pagina non trovata", "Siamo spiacenti, la pagina che cerchi non esiste o è stata spostata.", "Torna alla home"]],
        "nl": [["Pagina niet gevonden", "De pagina die je zoekt bestaat niet (meer).", "Ga naar de homepage"]],
        "pt": [["Página não encontrada", "A página que procura não existe ou foi removida.", "Voltar à página inicial"]],
        "pl": [["Nie znaleziono strony", "Strona, której szukasz, nie istnieje lub została przeniesiona.", "Wróć na stronę główną"]],
        "sv": [["Sidan kunde inte hittas", "Sidan du letar efter finns inte eller har flyttats.", "Till startsidan"]],
        "no": [["Siden finnes ikke", "Beklager, vi fant ikke siden du lette etter.", "Gå til forsiden"]],
        "da": [["Siden blev ikke fundet", "Den side, du leder efter, findes ikke længere.", "Gå til forsiden"]],
        "cs": [["Stránka nenalezena", "Omlouváme se, ale požadovaná stránka neexistuje.", "Zpět na hlavní stránku"]],
        "tr": [["Sayfa bulunamadı", "Aradığınız sayfa kaldırılmış veya taşınmış olabilir.", "Ana sayfaya dön"]],
        "ru": [["Страница не найдена", "Запрашиваемая страница не существует или была удалена.", "Вернуться на главную"]],
        "ja": [["ページが見つかりません", "お探しのページは移動または削除された可能性があります。", "トップページへ戻る"]],
        "zh": [["页面不存在", "抱歉，您访问的页面不存在或已被删除。", "返回首页"]],
        "ko": [["페이지를 찾을 수 없습니다", "요청하신 페이지가 삭제되었거나 주소가 변경되었습니다.", "홈으로 돌아가기"]],
    },
    "error": {
        "en": [
            ["Something went wrong", "We're having trouble loading this page right now. Please try again in a few minutes."],
            [
                "503 Service Unavailable",
                "The server is temporarily unable to service your request due to maintenance downtime or capacity problems. Please try again later.",
            ],
            ["We'll be back soon!", "Our website is currently undergoing scheduled maintenance. Thank you for your patience."],
            ["Internal Server Error", "The server encountered an internal error and was unable to complete your request."],
        ],
        "de": [
            [
                "Wartungsarbeiten",
                "Unsere Website wird gerade gewartet und ist in Kürze wieder für Sie erreichbar.",
                "Vielen Dank für Ihre Geduld.",
            ]
        ],
        "fr": [["Site en maintenance", "Notre site est actuellement en maintenance. Merci de revenir plus tard."]],
        "es": [["Algo salió mal", "Se ha producido un error al cargar la página. Inténtalo de nuevo más tarde."]],
        "ja": [["ただいまメンテナンス中です", "ご迷惑をおかけして申し訳ございません。しばらくしてから再度アクセスしてください。"]],
    },
    "login": {
        "en": [
            ["Sign in", "Email address", "Password", "Remember me", "Forgot your password?", "Don't have an account? Sign up"],
            ["Log in to your account", "Username or email", "Password", "Log in", "Or continue with Google", "New here? Create an account"],
            [
                "Create your free account",
                "First name",
                "Last name",
                "Email",
                "Choose a password",
                "By signing up you agree to our Terms of Service and Privacy Policy.",
                "Already registered? Log in",
            ],
            ["Welcome back", "Enter your email to receive a one-time sign-in link.", "Send link"],
        ],
        "de": [
            ["Anmelden", "E-Mail-Adresse", "Passwort", "Angemeldet bleiben", "Passwort vergessen?", "Noch kein Konto? Jetzt registrieren"],
            ["Login für Abonnenten", "Benutzername", "Kennwort", "Einloggen"],
        ],
        "fr": [["Se connecter", "Adresse e-mail", "Mot de passe", "Mot de passe oublié ?", "Créer un compte"]],
        "es": [["Iniciar sesión", "Correo electrónico", "Contraseña", "¿Olvidaste tu contraseña?", "Regístrate gratis"]],
        "it": [["Accedi", "Indirizzo email", "Password", "Hai dimenticato la password?", "Registrati"]],
        "nl": [["Inloggen", "E-mailadres", "Wachtwoord", "Wachtwoord vergeten?", "Account aanmaken"]],
        "pt": [["Entrar", "E-mail", "Senha", "Esqueceu a senha?", "Criar conta"]],
        "pl": [["Zaloguj się", "Adres e-mail", "Hasło", "Nie pamiętasz hasła?", "Załóż konto"]],
        "sv": [["Logga in", "E-post", "Lösenord", "Glömt lösenordet?", "Skapa konto"]],
        "no": [["Logg inn", "E-post", "Passord", "Glemt passord?", "Opprett bruker"]],
        "ja": [["ログイン", "メールアドレス", "パスワード", "パスワードをお忘れの方", "新規会員登録"]],
        "zh": [["登录", "手机号或邮箱", "密码", "忘记密码？", "立即注册"]],
        "ko": [["로그인", "아이디", "비밀번호", "비밀번호 찾기", "회원가입"]],
        "ru": [["Вход", "Электронная почта", "Пароль", "Забыли пароль?", "Зарегистрироваться"]],
        "tr": [["Giriş yap", "E-posta", "Şifre", "Şifremi unuttum", "Üye ol"]],
    },
    "javascript": {
        "en": [
            ["You need to enable JavaScript to run this app."],
            ["Please enable JavaScript in your browser to view this site.", "This website uses JavaScript to provide its features."],
            [
                "Your browser is out of date.",
                "Update your browser for more security, speed and the best experience on this site.",
                "Update browser",
                "Ignore",
            ],
            ["Loading...", "If this page does not load, please enable JavaScript and cookies and reload."],
        ],
        "de": [
            ["Bitte aktivieren Sie JavaScript, um diese Seite nutzen zu können."],
            ["Ihr Browser wird nicht mehr unterstützt.", "Bitte verwenden Sie einen aktuellen Browser."],
        ],
        "fr": [["Veuillez activer JavaScript pour afficher ce site."]],
        "es": [["Para ver este sitio, activa JavaScript en tu navegador."]],
        "ja": [["このサイトを利用するにはJavaScriptを有効にしてください。"]],
        "zh": [["请启用JavaScript以正常浏览本网站。"]],
    },
    "blocked": {
        "en": [
            ["Access denied", "You don't have permission to access this resource on this server.", "Reference #18.4f2a1c17.1733470000"],
            [
                "Checking your browser before accessing the site.",
                "This process is automatic. Your browser will redirect to your requested content shortly.",
                "Please allow up to 5 seconds…",
            ],
            [
                "Verify you are human",
                "Complete the security check below to continue.",
                "Why am I seeing this page?",
                "Ray ID: 8e1f2c3d4a5b6c7d",
            ],
            [
                "Are you a robot?",
                "We detected unusual activity from your network. Please click the box below to let us know you're not a robot.",
            ],
            [
                "451: Unavailable due to legal reasons",
                "We recognize you are attempting to access this website from a country belonging to the European Economic Area (EEA). We are unable to provide access at this time.",
            ],
            ["This content is not available in your region."],
        ],
        "de": [
            ["Zugriff verweigert", "Sie haben keine Berechtigung, diese Seite aufzurufen."],
            ["Bitte bestätigen Sie, dass Sie kein Roboter sind."],
        ],
        "fr": [
            ["Accès refusé", "Vous n'avez pas l'autorisation d'accéder à cette page."],
            ["Vérification de sécurité", "Merci de confirmer que vous n'êtes pas un robot."],
        ],
        "es": [["Acceso denegado", "No tienes permiso para acceder a esta página."]],
        "ru": [["Доступ запрещён", "Подтвердите, что вы не робот."]],
        "zh": [["访问受限", "请完成安全验证后继续访问。"]],
    },
    "paywall": {
        "en": [
            [
                "Subscribe to continue reading",
                "You've reached your limit of free articles this month.",
                "Get unlimited access for $1 a week.",
                "Subscribe now",
                "Already a subscriber? Log in",
            ],
            ["This article is for subscribers only.", "Start your free trial today. Cancel anytime.", "See subscription options"],
            ["Register for free to keep reading", "Create an account to read 5 free articles every month.", "Continue with email"],
            [
                "Thank you for visiting.",
                "To read our journalism, please turn off your ad blocker or subscribe.",
                "How to disable your ad blocker",
            ],
        ],
        "de": [
            [
                "Weiterlesen mit Plus",
                "Dieser Artikel ist nur für Abonnenten verfügbar.",
                "Jetzt 4 Wochen für 1 € testen",
                "Bereits Abonnent? Hier anmelden",
            ],
            ["Sie haben einen Adblocker aktiviert.", "Bitte deaktivieren Sie ihn oder lesen Sie werbefrei mit einem Abo."],
        ],
        "fr": [
            [
                "Cet article est réservé aux abonnés.",
                "Abonnez-vous pour lire la suite à partir de 1 € le premier mois.",
                "Déjà abonné ? Se connecter",
            ]
        ],
        "es": [
            ["Este contenido es exclusivo para suscriptores.", "Suscríbete y accede sin límites.", "¿Ya eres suscriptor? Inicia sesión"]
        ],
        "it": [["Questo articolo è riservato agli abbonati.", "Abbonati per continuare a leggere.", "Sei già abbonato? Accedi"]],
        "nl": [["Dit artikel is alleen voor abonnees.", "Word abonnee en lees onbeperkt.", "Al abonnee? Log in"]],
        "sv": [["Den här artikeln är för prenumeranter.", "Logga in eller bli prenumerant för att läsa vidare."]],
        "no": [["Denne saken er for abonnenter.", "Kjøp abonnement for å lese videre.", "Har du allerede abonnement? Logg inn"]],
        "pl": [["Ten artykuł jest dostępny dla subskrybentów.", "Wykup dostęp, aby czytać dalej."]],
        "ja": [["この記事は有料会員限定です。", "続きを読むには会員登録が必要です。", "ログインして続きを読む"]],
        "ko": [["이 기사는 유료 회원 전용입니다.", "구독하고 계속 읽기"]],
    },
    "consent": {
        "en": [
            [
                "We value your privacy",
                "We and our partners use cookies to store and access information on your device, for personalised ads and content, ad and content measurement and audience insights.",
                "Accept all",
                "Reject all",
                "Manage preferences",
            ],
            [
                "Before you continue",
                "We use cookies and data to deliver and maintain our services and to show personalised ads.",
                "Accept all",
                "More options",
            ],
        ],
        "de": [
            [
                "Wir verwenden Cookies",
                "Mit Ihrer Zustimmung verarbeiten wir und unsere Partner personenbezogene Daten, um Inhalte und Anzeigen zu personalisieren.",
                "Alle akzeptieren",
                "Einstellungen",
                "Ablehnen",
            ],
            [
                "Werbefrei lesen oder mit Werbung zustimmen",
                "Sie haben die Wahl: Nutzen Sie unser Angebot mit Tracking und Werbung oder abonnieren Sie PUR.",
                "Zustimmen und weiter",
            ],
        ],
        "fr": [
            [
                "Vos choix concernant les cookies",
                "Nous et nos partenaires utilisons des cookies pour mesurer l'audience et personnaliser les publicités.",
                "Tout accepter",
                "Continuer sans accepter",
            ]
        ],
        "es": [
            [
                "Tu privacidad es importante para nosotros",
                "Utilizamos cookies propias y de terceros para analizar el tráfico y mostrarte publicidad personalizada.",
                "Aceptar",
                "Configurar",
            ]
        ],
        "it": [
            [
                "Questo sito utilizza cookie",
                "Utilizziamo cookie tecnici e di profilazione, anche di terze parti.",
                "Accetta",
                "Rifiuta",
                "Personalizza",
            ]
        ],
        "nl": [
            [
                "Deze website gebruikt cookies",
                "Wij en onze partners gebruiken cookies om advertenties te personaliseren.",
                "Akkoord",
                "Instellingen",
            ]
        ],
        "pl": [["Szanujemy Twoją prywatność", "Używamy plików cookie, aby dopasować treści i reklamy.", "Akceptuję", "Ustawienia"]],
        "sv": [
            [
                "Vi använder cookies",
                "Vi och våra partner använder cookies för att anpassa innehåll och annonser.",
                "Godkänn alla",
                "Inställningar",
            ]
        ],
        "cs": [
            [
                "Používáme cookies",
                "Souhlasem umožníte nám a našim partnerům zpracovávat údaje pro personalizaci reklam.",
                "Souhlasím",
                "Nastavení",
            ]
        ],
        "ja": [["Cookieの利用について", "当サイトでは利便性向上のためCookieを使用しています。", "同意する", "設定"]],
    },
    "removed": {
        "en": [
            ["This article is no longer available.", "It may have expired or been removed by the publisher."],
            ["This video is unavailable.", "The uploader has not made this video available in your country."],
            ["This listing has ended.", "The seller has ended this listing or the item is no longer available.", "See similar items"],
            ["The product you are looking for is out of stock.", "Notify me when available"],
        ],
        "de": [["Dieser Artikel ist nicht mehr verfügbar."], ["Dieses Angebot ist leider abgelaufen.", "Ähnliche Angebote ansehen"]],
        "fr": [["Ce contenu n'est plus disponible."]],
        "es": [["Este anuncio ya no está disponible."]],
        "ja": [["この記事は掲載期間が終了しました。"]],
    },
    "gate": {
        "en": [
            ["Are you over 18?", "You must be of legal drinking age to enter this site.", "Yes", "No"],
            ["Choose your country or region", "United States", "United Kingdom", "Canada", "Australia", "Deutschland", "France", "España"],
            ["Please select your language", "English", "Deutsch", "Français", "Español", "Italiano"],
        ],
        "de": [["Bist du mindestens 18 Jahre alt?", "Ja", "Nein"]],
        "fr": [["Avez-vous plus de 18 ans ?", "Oui", "Non"]],
    },
    "search": {
        "en": [
            ["Search results", "No results found for your search.", "Try different keywords or check your spelling."],
            ["0 results", "We couldn't find anything matching your search.", "Popular searches", "Clear filters"],
        ],
        "de": [["Suchergebnisse", "Ihre Suche ergab leider keine Treffer.", "Bitte versuchen Sie es mit anderen Suchbegriffen."]],
        "fr": [["Aucun résultat", "Votre recherche n'a donné aucun résultat."]],
        "es": [["No se han encontrado resultados para tu búsqueda."]],
    },
    "moved": {
        "en": [
            ["301 Moved Permanently", "The document has moved here."],
            ["Redirecting…", "If you are not redirected automatically, follow this link."],
            ["Thank you for subscribing!", "Please check your inbox to confirm your email address."],
            ["Your message has been sent.", "We will get back to you within two working days."],
        ],
        "de": [
            ["Sie werden weitergeleitet …", "Falls die Weiterleitung nicht funktioniert, klicken Sie hier."],
            ["Vielen Dank für Ihre Anmeldung!", "Bitte bestätigen Sie Ihre E-Mail-Adresse."],
        ],
    },
}

HEADERS = {
    "en": [
        "Menu",
        "Home",
        "Search",
        "Skip to main content",
        "News | Sport | Business | Culture",
        "Subscribe",
        "Sign in",
        "Shop",
        "Contact us",
    ],
    "de": ["Menü", "Startseite", "Suche", "Zum Inhalt springen", "Politik | Wirtschaft | Sport | Kultur", "Abo", "Anmelden"],
    "fr": ["Menu", "Accueil", "Rechercher", "Aller au contenu", "Actualités | Sport | Culture", "S'abonner"],
    "es": ["Menú", "Inicio", "Buscar", "Ir al contenido", "Noticias | Deportes | Cultura", "Suscríbete"],
    "it": ["Menu", "Home", "Cerca", "Cronaca | Sport | Cultura", "Abbonati"],
    "nl": ["Menu", "Home", "Zoeken", "Nieuws | Sport | Cultuur"],
    "pt": ["Menu", "Início", "Pesquisar", "Notícias | Desporto | Cultura"],
    "pl": ["Menu", "Strona główna", "Szukaj", "Wiadomości | Sport | Kultura"],
    "sv": ["Meny", "Start", "Sök", "Nyheter | Sport | Kultur"],
    "no": ["Meny", "Forsiden", "Søk", "Nyheter | Sport | Kultur"],
    "da": ["Menu", "Forside", "Søg", "Nyheder | Sport | Kultur"],
    "cs": ["Menu", "Úvod", "Hledat", "Zprávy | Sport | Kultura"],
    "tr": ["Menü", "Ana Sayfa", "Ara", "Gündem | Spor | Ekonomi"],
    "ru": ["Меню", "Главная", "Поиск", "Новости | Спорт | Культура"],
    "ja": ["メニュー", "ホーム", "検索", "ニュース | スポーツ | エンタメ"],
    "zh": ["首页", "搜索", "新闻 | 体育 | 财经"],
    "ko": ["메뉴", "홈", "검색", "뉴스 | 스포츠 | 연예"],
}
FOOTERS = {
    "en": ["Privacy Policy | Terms of Use | Cookie Settings", "Contact | About us | Careers", "Follow us on Facebook, X and Instagram"],
    "de": ["Impressum | Datenschutz | AGB", "Kontakt | Über uns", "Cookie-Einstellungen"],
    "fr": ["Mentions légales | Confidentialité | Cookies", "Contact | Qui sommes-nous"],
    "es": ["Aviso legal | Privacidad | Cookies", "Contacto | Quiénes somos"],
    "it": ["Note legali | Privacy | Cookie", "Contatti"],
    "nl": ["Privacy | Cookies | Voorwaarden", "Contact"],
    "pt": ["Termos de uso | Privacidade", "Contactos"],
    "pl": ["Polityka prywatności | Regulamin", "Kontakt"],
    "sv": ["Integritetspolicy | Cookies", "Kontakta oss"],
    "no": ["Personvern | Informasjonskapsler", "Kontakt oss"],
    "da": ["Privatlivspolitik | Cookies", "Kontakt"],
    "cs": ["Ochrana osobních údajů | Cookies", "Kontakt"],
    "tr": ["Gizlilik Politikası | Çerez Politikası", "İletişim"],
    "ru": ["Политика конфиденциальности", "Контакты"],
    "ja": ["プライバシーポリシー | 利用規約", "お問い合わせ"],
    "zh": ["隐私政策 | 用户协议", "联系我们"],
    "ko": ["개인정보처리방침 | 이용약관", "고객센터"],
}
SITES = {
    "en": ["Riverside Daily", "The Northfield Post", "Harbour Outdoor Supply"],
    "de": ["Talblick Zeitung"],
    "fr": ["Le Courrier du Val"],
    "es": ["Diario del Sur"],
    "it": ["Gazzetta della Valle"],
    "nl": ["Dagblad Noord"],
    "pt": ["Jornal da Serra"],
    "pl": ["Gazeta Doliny"],
    "sv": ["Dalbladet"],
    "no": ["Fjordposten"],
    "da": ["Egnsavisen"],
    "cs": ["Údolní listy"],
    "tr": ["Vadi Haber"],
    "ru": ["Вестник долины"],
    "ja": ["みなと新聞"],
    "zh": ["江南日报"],
    "ko": ["한빛일보"],
}

#: Share and print buttons and date lines that sit between a brief's headline and its text on real
#: pages (all chrome): a short page with them is still a brief.
SHARES = {
    "en": ["Share", "Tweet", "Share on Facebook", "Share on X", "Email", "Print", "Copy link", "Published 3 March 2026"],
    "de": ["Teilen", "Drucken", "Twittern", "E-Mail", "Link kopieren", "Veröffentlicht am 3. März 2026"],
    "fr": ["Partager", "Tweeter", "Imprimer", "Copier le lien", "Publié le 3 mars 2026"],
    "es": ["Compartir", "Imprimir", "Enviar por correo", "Publicado el 3 de marzo de 2026"],
    "it": ["Condividi", "Stampa", "Copia link", "Pubblicato il 3 marzo 2026"],
    "nl": ["Delen", "Printen", "Kopieer link"],
    "pt": ["Partilhar", "Imprimir", "Publicado a 3 de março de 2026"],
    "pl": ["Udostępnij", "Drukuj", "Kopiuj link"],
    "sv": ["Dela", "Skriv ut", "Publicerad 3 mars 2026"],
    "no": ["Del", "Skriv ut", "Publisert 3. mars 2026"],
    "da": ["Del", "Print"],
    "cs": ["Sdílet", "Tisk"],
    "tr": ["Paylaş", "Yazdır"],
    "ru": ["Поделиться", "Печать"],
    "ja": ["シェア", "印刷", "2026年3月3日"],
    "zh": ["分享", "打印", "2026年3月3日"],
    "ko": ["공유", "인쇄", "2026.03.03"],
}

# Short pages whose headline and paragraphs are content (written for linesift; invented events).
BRIEFS = [
    (
        "en",
        [
            "Library closed on Monday for floor repairs",
            "The central library will be closed on Monday while the reading room floor is replaced. Returns can be left in the drop box by the main entrance.",
        ],
    ),
    (
        "en",
        [
            "Storm warning issued for the coast",
            "Forecasters expect gusts of up to 90 km/h along the coast on Thursday night. Ferry services may be cancelled at short notice.",
        ],
    ),
    (
        "en",
        [
            "Council approves new bike lanes",
            "The council voted 7-2 on Tuesday to add protected bike lanes along Main Street, with work to begin in the spring.",
        ],
    ),
    (
        "en",
        [
            "Water main repaired",
            "Crews finished repairing the burst water main on Elm Road early on Sunday, and supply has been restored to all 340 homes.",
            "Residents who notice discoloured water are advised to run their cold tap for a few minutes.",
        ],
    ),
    (
        "en",
        [
            "Museum extends opening hours",
            "From next month the maritime museum will stay open until 8 p.m. on Thursdays, the director said.",
        ],
    ),
    (
        "en",
        [
            "Local team reaches regional final",
            "Northfield United beat Castle Rovers 2-1 after extra time and will play in the regional final on 14 March.",
        ],
    ),
    (
        "en",
        [
            "Release notes: version 2.4",
            "This release fixes a crash when importing empty files and speeds up search on large folders.",
            "Upgrading is recommended for all users.",
        ],
    ),
    (
        "en",
        [
            "How to reset the thermostat",
            "Hold the mode button for ten seconds until the display flashes.",
            "Release it, then set the time and the target temperature again.",
        ],
    ),
    ("en", ["Opening hours", "Monday to Friday: 9 am to 6 pm", "Saturday: 10 am to 4 pm", "Closed on Sundays and public holidays."]),
    ("en", ["Correction", "An earlier version of this article misstated the date of the concert. It takes place on 12 June, not 12 July."]),
    (
        "en",
        [
            "Road closure on Station Street",
            "Station Street will be closed between the bridge and the market square from 7 to 11 April for resurfacing. Buses will use Mill Lane.",
        ],
    ),
    (
        "en",
        [
            "School places: deadline extended",
            "Parents now have until 31 January to apply for primary school places for September, the education office announced.",
        ],
    ),
    (
        "en",
        [
            "Recipe: quick tomato soup",
            "Soften an onion in olive oil, add two tins of tomatoes and a litre of stock, and simmer for twenty minutes.",
            "Blend until smooth and season with salt and pepper.",
        ],
    ),
    (
        "en",
        [
            "Power cut affects 2,000 homes",
            "A fault at a substation left about 2,000 homes without electricity for three hours on Friday evening.",
        ],
    ),
    (
        "de",
        [
            "Bibliothek am Montag geschlossen",
            "Wegen Reparaturen am Boden des Lesesaals bleibt die Stadtbibliothek am Montag geschlossen. Rückgaben sind über den Briefkasten am Haupteingang möglich.",
        ],
    ),
    (
        "de",
        [
            "Sturmwarnung für die Küste",
            "Der Wetterdienst erwartet in der Nacht zum Freitag Böen bis 90 km/h. Fähren können kurzfristig ausfallen.",
        ],
    ),
    (
        "de",
        [
            "Neue Radwege beschlossen",
            "Der Gemeinderat hat am Dienstag mit großer Mehrheit geschützte Radwege entlang der Hauptstraße beschlossen. Die Arbeiten beginnen im Frühjahr.",
        ],
    ),
    ("de", ["Öffnungszeiten", "Montag bis Freitag: 9 bis 18 Uhr", "Samstag: 10 bis 14 Uhr"]),
    (
        "fr",
        [
            "Fermeture exceptionnelle de la médiathèque",
            "La médiathèque sera fermée lundi pour des travaux dans la salle de lecture. Les retours restent possibles dans la boîte prévue à cet effet.",
        ],
    ),
    (
        "fr",
        [
            "Alerte tempête sur le littoral",
            "Des rafales jusqu'à 90 km/h sont attendues jeudi soir. Les traversées en ferry pourraient être annulées.",
        ],
    ),
    (
        "es",
        [
            "La biblioteca cierra el lunes por obras",
            "La biblioteca municipal permanecerá cerrada el lunes por la reparación del suelo de la sala de lectura.",
        ],
    ),
    (
        "es",
        [
            "Aviso de temporal en la costa",
            "Se esperan rachas de hasta 90 km/h el jueves por la noche. Los ferris podrían cancelarse sin previo aviso.",
        ],
    ),
    ("it", ["Biblioteca chiusa lunedì", "La biblioteca comunale resterà chiusa lunedì per lavori al pavimento della sala di lettura."]),
    ("nl", ["Bibliotheek maandag gesloten", "De bibliotheek is maandag gesloten vanwege werkzaamheden aan de vloer van de leeszaal."]),
    (
        "pt",
        [
            "Biblioteca encerrada na segunda-feira",
            "A biblioteca municipal estará encerrada na segunda-feira devido a obras na sala de leitura.",
        ],
    ),
    (
        "pl",
        ["Biblioteka nieczynna w poniedziałek", "W poniedziałek biblioteka miejska będzie zamknięta z powodu remontu podłogi w czytelni."],
    ),
    ("sv", ["Biblioteket stängt på måndag", "Stadsbiblioteket håller stängt på måndag medan golvet i läsesalen byts ut."]),
    ("no", ["Biblioteket stengt mandag", "Hovedbiblioteket holder stengt mandag mens gulvet i lesesalen skiftes ut."]),
    (
        "ja",
        [
            "図書館、月曜日は臨時休館",
            "市立図書館は閲覧室の床の改修工事のため、月曜日は臨時休館となります。返却は正面入口の返却ポストをご利用ください。",
        ],
    ),
    ("zh", ["图书馆周一闭馆维修", "市图书馆因阅览室地板维修，将于周一闭馆一天。读者可将图书投入正门旁的还书箱。"]),
    ("ko", ["시립도서관 월요일 휴관", "시립도서관은 열람실 바닥 보수 공사로 월요일 하루 휴관한다고 밝혔다."]),
    ("ru", ["Библиотека закрыта в понедельник", "Городская библиотека будет закрыта в понедельник из-за ремонта пола в читальном зале."]),
]


def _framed(rng: random.Random, lang: str, body: list[str], label: str) -> list[tuple[str, str]]:
    """(label, line) rows of ``body`` with an optional site name and navigation above and footer below, all chrome."""
    rows = []
    if rng.random() < 0.5:
        rows.append(("chrome", rng.choice(SITES[lang])))
    if rng.random() < 0.5:
        rows += [("chrome", h) for h in rng.sample(HEADERS[lang], rng.randint(1, 3))]
    rows += [(label, line) for line in body]
    if rng.random() < 0.5:
        rows += [("chrome", f) for f in rng.sample(FOOTERS[lang], rng.randint(1, 2))]
    if rng.random() < 0.3:
        rows.append(("chrome", f"\u00a9 2026 {rng.choice(SITES[lang])}"))
    return rows


def _shared(rng: random.Random, lang: str, body: list[str]) -> list[tuple[str, str]]:
    """(label, line) rows of a brief with share buttons (or a date) under its headline, and some
    after its text: the buttons chrome, the brief content."""
    rows = [("content", body[0])]
    rows += [("chrome", line) for line in rng.sample(SHARES[lang], rng.randint(1, min(3, len(SHARES[lang]))))]
    rows += [("content", line) for line in body[1:]]
    if rng.random() < 0.5:
        rows += [("chrome", line) for line in rng.sample(SHARES[lang], rng.randint(1, 2))]
    return rows


def _record(name: str, kind: str, lang: str, rows: list[tuple[str, str]], corpus: str = CORPUS) -> dict:
    return {
        "id": f"{CORPUS}/{name}",
        "site": f"{CORPUS}:{kind}",
        "corpus": corpus,
        "language": lang,
        "text": "\n".join(line for _, line in rows),
        "labels": [lab for lab, _ in rows],
    }


def stub_records() -> list[dict]:
    """Every page twice, bare and framed by chrome, and every brief once more with share buttons
    under its headline, as JSONL records; a site per kind of page."""
    rng = random.Random(SEED)
    pages = [
        (kind, lang, f"{kind}-{lang}-{i}", body, "chrome")
        for kind, langs in STUBS.items()
        for lang, bodies in langs.items()
        for i, body in enumerate(bodies)
    ]
    briefs = [(f"brief{i % 4}", lang, f"brief-{lang}-{i}", body, "content") for i, (lang, body) in enumerate(BRIEFS)]
    records = []
    for kind, lang, name, body, label in pages + briefs:
        for framed in (False, True):
            rows = _framed(rng, lang, body, label) if framed else [(label, line) for line in body]
            records.append(_record(f"{name}{'-framed' if framed else ''}", kind, lang, rows))
    # Their own generator, so the records above stay as they were before these were added.
    shared = random.Random(SEED + 1)
    records += [_record(f"{name}-shared", kind, lang, _shared(shared, lang, body), SHARED_CORPUS)
                for kind, lang, name, body, _ in briefs]
    return records


def write_stubs(out: Path) -> list[dict]:
    """Write the stub pages to ``out`` (JSONL, atomically); returns the records."""
    records = stub_records()
    with atomic_write(out, "w") as handle:
        for record in records:
            handle.write(json.dumps(record, ensure_ascii=False) + "\n")
    return records
