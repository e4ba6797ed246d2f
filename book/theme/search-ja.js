'use strict';

// 本の検索窓を、日本語を単語に分けて検索できる Pagefind につなぎ替えます。
// 検索窓、キー操作 (S と /、矢印、Enter、Esc)、結果の強調表示は mdBook 0.5 のものをそのまま使います。
// 索引 (pagefind/) は scripts/book.sh が作ります。ページをファイルとして開いたとき (file://) は
// ブラウザが索引を読ませないので、mdBook の検索のままにして、そのことを検索窓の下に表示します。
(function searchJa() {
    const searchbar = document.getElementById('mdbook-searchbar');
    const searchbarOuter = document.getElementById('mdbook-searchbar-outer');
    const resultsOuter = document.getElementById('mdbook-searchresults-outer');
    const resultsHeader = document.getElementById('mdbook-searchresults-header');
    const results = document.getElementById('mdbook-searchresults');
    if (!searchbar || !results) {
        return;
    }

    // 入力が止まってから検索するまでの時間 (ミリ秒) と、表示する結果の最大数です。
    const DELAY_MS = 150;
    const MAX_RESULTS = 20;
    // 英数字だけの語で、本文を確かめる候補の数の上限です。
    const ASCII_CANDIDATES = 50;
    // path_to_root は本のルートへの相対パスで、ルートのページでは空です。"./" をつけてディレクトリとして解決します。
    const root = new URL('./' + path_to_root, document.baseURI);
    searchbar.placeholder = 'この本を検索';

    if (root.protocol === 'file:') {
        showFileNote();
        return;
    }

    let composing = false;
    let timer = null;
    let pagefind = null;
    let latest = '';

    // mdBook の検索 (keyup で動きます) を止めます。window の捕捉段階で止めるので、検索窓の上のリスナーに届きません。
    window.addEventListener('keyup', e => {
        if (e.target === searchbar) {
            e.stopImmediatePropagation();
        }
    }, true);

    // 変換を確定する Enter で mdBook が最初の結果へ移動しないように、変換中のキーを mdBook に渡しません。
    window.addEventListener('keydown', e => {
        if (e.target === searchbar && (e.isComposing || composing || e.keyCode === 229)) {
            e.stopImmediatePropagation();
        }
    }, true);

    // IME で変換している間は検索せず、確定してから検索します。
    searchbar.addEventListener('compositionstart', () => {
        composing = true;
        clearTimeout(timer);
    });
    searchbar.addEventListener('compositionend', () => {
        composing = false;
        schedule();
    });
    searchbar.addEventListener('input', e => {
        if (!e.isComposing && !composing) {
            schedule();
        }
    });

    // URL の ?search= から mdBook が検索窓に入れた語で、すぐに検索します。
    if (searchbar.value.trim() !== '') {
        search();
    }

    function schedule() {
        clearTimeout(timer);
        timer = setTimeout(search, DELAY_MS);
    }

    // 全角英数字と半角カナを NFKC でそろえ、小文字にし、空白を1つにします。
    function normalize(text) {
        return text.normalize('NFKC').toLowerCase().replace(/\s+/g, ' ').trim();
    }

    // 3文字以上のカタカナ語の末尾の長音「ー」を落とします。索引は前方一致なので、
    // 「サーバ」で「サーバー」が、「サーバー」で「サーバ」が見つかります。
    function dropLongVowel(text) {
        return text.replace(/([\u30A1-\u30FA\u30FC]{2,}[\u30A1-\u30FA])\u30FC+(?![\u30A1-\u30FC])/g, '$1');
    }

    async function loadPagefind() {
        if (pagefind === null) {
            const module = await import(new URL('pagefind/pagefind.js', root).href);
            await module.options({ baseUrl: root.pathname });
            pagefind = module;
        }
        return pagefind;
    }

    // 英数字だけの語（nginxやKubernetesなど）では、Pagefindが語の一部（たとえばK）に一致したページも返します。
    // そこで、本文にその綴りがあるページだけを残します。日本語の語はPagefindの分かち書きの結果をそのまま使います。
    async function keepMatching(query, results) {
        if (!/^[\x20-\x7e]+$/.test(query)) {
            const pages = await Promise.all(results.slice(0, MAX_RESULTS).map(r => r.data()));
            return { total: results.length, pages };
        }
        const words = query.split(' ');
        const loaded = await Promise.all(results.slice(0, ASCII_CANDIDATES).map(r => r.data()));
        const matching = loaded.filter(page => words.every(word => normalize(page.content).includes(word)));
        return { total: matching.length, pages: matching.slice(0, MAX_RESULTS) };
    }

    async function search() {
        const typed = searchbar.value.trim();
        const query = dropLongVowel(normalize(typed));
        latest = query;
        updateUrl(typed);
        if (query === '') {
            resultsOuter.classList.add('hidden');
            results.replaceChildren();
            return;
        }

        searchbarOuter.classList.add('searching');
        try {
            const engine = await loadPagefind();
            const found = await engine.search(query);
            const { total, pages } = await keepMatching(query, found.results);
            if (latest === query) {
                show(typed, query, total, pages);
            }
        } catch (error) {
            console.error('検索できません:', error);
            showMessage('検索の索引 (pagefind/) を読み込めません。./scripts/book.sh build か serve で本をビルドし直してください。');
        } finally {
            searchbarOuter.classList.remove('searching');
        }
    }

    // 見出しには一致したページの数を、一覧には上位 MAX_RESULTS 件を出します。
    function show(typed, query, total, pages) {
        resultsHeader.innerText = total === 0
            ? `「${typed}」に一致するページはありません。`
            : `「${typed}」の検索結果: ${total} 件`;
        results.replaceChildren(...pages.map(page => resultItem(page, query)));
        resultsOuter.classList.remove('hidden');
    }

    function showMessage(text) {
        resultsHeader.innerText = text;
        results.replaceChildren();
        resultsOuter.classList.remove('hidden');
    }

    // 一致の多い見出しの節へリンクし、mdBook がそのページで語を強調できるように ?highlight= をつけます。
    function resultItem(page, query) {
        const best = bestSection(page);
        const [path, anchor] = best.url.split('#');
        const link = document.createElement('a');
        link.href = `${path}?highlight=${encodeURIComponent(query)}${anchor ? '#' + anchor : ''}`;
        link.textContent = best.title && best.title !== page.meta.title
            ? `${page.meta.title} » ${best.title}`
            : page.meta.title;

        // Pagefind の抜粋は索引が HTML をエスケープ済みで、一致した語だけを <mark> で囲んでいます。
        const teaser = document.createElement('span');
        teaser.className = 'teaser';
        teaser.innerHTML = best.excerpt;

        const item = document.createElement('li');
        item.append(link, teaser);
        return item;
    }

    function bestSection(page) {
        const sections = page.sub_results || [];
        if (sections.length === 0) {
            return { url: page.url, title: page.meta.title, excerpt: page.excerpt };
        }
        return sections.reduce((best, s) => (s.locations.length > best.locations.length ? s : best));
    }

    // 検索語を URL の ?search= に残し、再読み込みや共有で同じ検索に戻れるようにします。
    function updateUrl(typed) {
        const url = new URL(window.location.href);
        if (typed === '') {
            url.searchParams.delete('search');
        } else {
            url.searchParams.set('search', typed);
        }
        url.searchParams.delete('highlight');
        url.hash = '';
        history.replaceState({}, document.title, url.href);
    }

    function showFileNote() {
        const note = document.createElement('p');
        note.className = 'search-ja-file-note';
        note.textContent = 'ファイルとして開いたページでは、日本語の語はほとんど見つかりません。'
            + './scripts/book.sh serve で配信した本で検索してください。';
        searchbarOuter.after(note);
    }
})();
