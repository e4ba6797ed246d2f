// 印刷するときは、折りたたんだブロック（講師向けメモや演習の解答）を開いて、紙にも中身が出るようにします。
window.addEventListener("beforeprint", () => {
  for (const details of document.querySelectorAll("details")) {
    details.open = true;
  }
});
